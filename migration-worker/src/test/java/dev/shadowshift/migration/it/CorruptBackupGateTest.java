package dev.shadowshift.migration.it;

import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.messaging.EventPublisher;
import dev.shadowshift.migration.plan.PlanTransition;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.shadow.BackupMissing;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowStore;
import dev.shadowshift.migration.shadow.Throttle;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static dev.shadowshift.migration.it.WorkerUnderTest.bootstrap;
import static dev.shadowshift.migration.it.WorkerUnderTest.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * backup-worker re-verifies kept backups; one it finds CORRUPT is announced on backup-failed. A plan that already
 * holds that backup loses it, so its shadow rebuild, however far along, does not cut over on it.
 */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class CorruptBackupGateTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Inject TargetDatabases targets;
    @Inject ShadowStore shadowStore;
    @Inject PlanStore plans;
    @Inject EventPublisher publisher;
    @Inject MigrationConfig config;
    @Inject Throttle throttle;

    @Test
    void aBackupFoundCorruptWhileThePlanRunsKeepsItsRebuildFromCuttingOver() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS load");
        }
        ShadowMigrationTest.createTable("gate", 2_000, "integer");
        SpecChanged spec = new SpecChanged("load", 900, null, "0".repeat(64), "main", "load", "BACKWARD",
                List.of(WorkerUnderTest.typeChange("load", "gate", "n", "integer", "bigint")));
        String planId = WorkerUnderTest.directPlan(plans, "direct-gate", spec, "backup-gate").planId();
        assertTrue(plans.transition(planId, PlanTransition.START).isPresent(), "the plan runs");
        StoredPlan plan = plans.find(planId).orElseThrow();
        ShadowRebuild rebuild = plans.rebuilds(planId).get(0);

        // a backup-completed for a backup made for no plan changes nothing
        TopicWatcher.send(bootstrap(), Topics.BACKUP_COMPLETED, "scheduled-1", EventCodec.write(EventCodec.create("/test/backup-worker",
                "scheduled-1", new BackupCompleted(null, "scheduled-1", "main", List.of("load.gate"), "custom", "/b/s.dump", 1, "b".repeat(64),
                        2, true, "2099-01-01T00:00:00Z", "SCHEDULED", List.of()))));
        ShadowEngine engine = new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle, reached -> {
            if (reached.equals("VALIDATED")) {
                // the re-verification's news arrives between validation and the swap
                TopicWatcher.send(bootstrap(), Topics.BACKUP_FAILED, planId, EventCodec.write(EventCodec.create("/test/backup-worker", planId,
                        new BackupFailed(planId, "main", List.of("load.gate"), "the archive's sha256 is 00, not the ff recorded", "backup-gate",
                                BackupFailed.CORRUPT, "PLAN"))));
                long until = System.nanoTime() + WAIT.toNanos();
                while (backupOf(planId) != null && System.nanoTime() < until) {
                    sleep();
                }
            }
        });

        BackupMissing refused = assertThrows(BackupMissing.class, () -> engine.run(new ShadowEngine.Progress(plan, 0, 1), rebuild));
        assertTrue(refused.getMessage().contains("no verified backup-completed"), refused.getMessage());
        assertNull(backupOf(planId), "the CORRUPT backup was taken back");
        assertEquals("integer", ShadowMigrationTest.columnType("gate", "n"), "the rebuild did not cut over");
        assertEquals("ABANDONED", shadowStore.find(planId, "gate").orElseThrow().phase());
    }

    private String backupOf(String planId) {
        try {
            return plans.find(planId).orElseThrow().backupId();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
