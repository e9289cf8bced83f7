package dev.shadowshift.migration.it;

import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.messaging.EventPublisher;
import dev.shadowshift.migration.plan.ShadowRebuild;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.shadowshift.migration.it.WorkerUnderTest.bootstrap;
import static dev.shadowshift.migration.it.WorkerUnderTest.progressOf;
import static dev.shadowshift.migration.it.WorkerUnderTest.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backfill gives way to the table's writers, measured on the real server: a client's UPDATE stuck behind another
 * session's row lock is a write in flight older than pause-writer-latency, so the backfill pauses and says why, and
 * goes on once the write completes; the write is in the rebuilt table.
 */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class WriterLatencyThrottleTest {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static TopicWatcher watcher;

    @Inject TargetDatabases targets;
    @Inject ShadowStore shadowStore;
    @Inject PlanStore plans;
    @Inject EventPublisher publisher;
    @Inject MigrationConfig config;
    @Inject Throttle throttle;

    @BeforeAll
    static void watch() throws Exception {
        watcher = new TopicWatcher(bootstrap(), List.of(Topics.MIGRATION_PROGRESS));
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS pace");
        }
    }

    @AfterAll
    static void stop() {
        watcher.close();
    }

    @Test
    void aWriterStuckOnTheTablePausesTheBackfillUntilItsWriteCompletes() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE pace.stuck (id bigint PRIMARY KEY, n integer, note text)");
            s.execute("INSERT INTO pace.stuck SELECT g, g, 'row ' || g FROM generate_series(1, 20000) g");
        }
        SpecChanged spec = new SpecChanged("pace", 1, null, "0".repeat(64), "main", "pace", "BACKWARD",
                List.of(WorkerUnderTest.typeChange("pace", "stuck", "n", "integer", "bigint")));
        StoredPlan plan = WorkerUnderTest.directPlan(plans, "direct-pace-stuck", spec, "backup-pace-stuck");
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);

        Connection holder = target();
        Connection waiter = target();
        CompletableFuture<Void>[] write = new CompletableFuture[1];
        try {
            holder.setAutoCommit(false);
            for (Connection c : List.of(holder, waiter)) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET application_name = 'pace-test-client'");
                }
            }
            // once capture is in place (so the trigger logs the write) and before the first batch: a client's write
            // to the table waits for a row lock another client holds, longer than pause-writer-latency
            // trigger capture: a logical slot could not even be created while the holder's transaction is open (its
            // snapshot waits for every transaction running at creation), so the backfill would never start to throttle
            MigrationConfig.Shadow triggerShadow = (MigrationConfig.Shadow) java.lang.reflect.Proxy.newProxyInstance(
                    MigrationConfig.class.getClassLoader(), new Class<?>[]{MigrationConfig.Shadow.class},
                    (proxy, method, args) -> method.getName().equals("capture") ? "trigger" : method.invoke(config.shadow(), args));
            MigrationConfig trigger = (MigrationConfig) java.lang.reflect.Proxy.newProxyInstance(MigrationConfig.class.getClassLoader(),
                    new Class<?>[]{MigrationConfig.class}, (proxy, method, args) -> method.getName().equals("shadow") ? triggerShadow
                            : method.invoke(config, args));
            ShadowEngine engine = new ShadowEngine(targets, shadowStore, plans, publisher, trigger, throttle, checkpoint -> {
                if (!"BACKFILLING".equals(checkpoint) || write[0] != null) {
                    return;
                }
                try (Statement s = holder.createStatement()) {
                    s.execute("UPDATE pace.stuck SET note = 'held' WHERE id = 7");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                write[0] = CompletableFuture.runAsync(() -> {
                    try (Statement s = waiter.createStatement()) {
                        s.execute("UPDATE pace.stuck SET n = 70, note = 'written while stuck' WHERE id = 7");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                try {
                    Thread.sleep(config.throttle().pauseWriterLatency().toMillis() * 2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CompletableFuture<ShadowEngine.Outcome> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return engine.run(new ShadowEngine.Progress(plan, 0, 1), rebuild);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            TopicWatcher.Seen paused = watcher.await(Topics.MIGRATION_PROGRESS, s -> {
                MigrationProgress p = progressOf(s.value());
                // (a canary slowed by a busy machine may pause it too, saying so: not the pause this test is after)
                return p.planId().equals(plan.planId()) && p.message().contains("backfill throttled (paused): a write to the table");
            }, WAIT);
            String message = progressOf(paused.value()).message();
            assertTrue(message.contains("over pause-writer-latency 250 ms"), message);
            assertTrue(!run.isDone(), "the backfill waits while the write is stuck");

            holder.commit();
            write[0].get(60, TimeUnit.SECONDS);
            assertEquals(ShadowEngine.Outcome.CUT_OVER, run.get(WAIT.toSeconds(), TimeUnit.SECONDS), "the backfill went on once the write completed");
        } finally {
            holder.close();
            waiter.close();
        }
        try (Connection c = target(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT n, note, (SELECT data_type FROM information_schema.columns WHERE table_schema = 'pace' "
                    + "AND table_name = 'stuck' AND column_name = 'n'), (SELECT count(*) FROM pace.stuck) FROM pace.stuck WHERE id = 7");
            assertTrue(rs.next());
            assertEquals(70, rs.getLong(1), "the stuck client's write is in the rebuilt table");
            assertEquals("written while stuck", rs.getString(2));
            assertEquals("bigint", rs.getString(3));
            assertEquals(20000, rs.getLong(4));
        }
    }
}
