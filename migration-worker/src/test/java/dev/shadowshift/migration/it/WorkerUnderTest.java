package dev.shadowshift.migration.it;

import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.plan.MigrationPlanner;
import dev.shadowshift.migration.plan.Plan;
import dev.shadowshift.migration.plan.PlanTransition;
import dev.shadowshift.migration.shadow.ShadowSteps;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.operations.ServerTypes;
import dev.shadowshift.testkit.TopicWatcher;
import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

/** What the worker's integration tests share: the broker and target it was wired to, and reading its events back. */
final class WorkerUnderTest {

    private WorkerUnderTest() {
    }

    static Connection target() throws SQLException {
        var config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("shadowshift.targets.main.jdbc-url", String.class),
                config.getValue("shadowshift.targets.main.username", String.class),
                config.getOptionalValue("shadowshift.targets.main.password", String.class).orElse(""));
    }

    static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    static MigrationPlanned planned(TopicWatcher watcher, String planId, Duration wait) {
        TopicWatcher.Seen seen = watcher.await(Topics.MIGRATION_PLANNED, s -> planId.equals(s.key()), wait);
        return EventSchemas.parse(seen.value(), EventType.MIGRATION_PLANNED).dataAs(MigrationPlanned.class);
    }

    static MigrationProgress progress(TopicWatcher watcher, String planId, String status, Duration wait) {
        TopicWatcher.Seen seen = watcher.await(Topics.MIGRATION_PROGRESS, s -> {
            MigrationProgress p = progressOf(s.value());
            return p.planId().equals(planId) && p.status().equals(status);
        }, wait);
        return progressOf(seen.value());
    }

    static MigrationProgress progressOf(String value) {
        return EventSchemas.parse(value, EventType.MIGRATION_PROGRESS).dataAs(MigrationProgress.class);
    }

    static SchemaChange typeChange(String schema, String table, String column, String from, String to) {
        return new SchemaChange(ChangeKind.ALTER_COLUMN_TYPE, schema, table, column, from, to, null, null, null, null, null, null,
                null, null);
    }

    /**
     * A plan made by the planner against the live target, stored, approved where it waits for approval and given its
     * backup, ready to run straight through the engine.
     */
    static StoredPlan directPlan(PlanStore plans, String eventId, SpecChanged spec, String backupId) throws Exception {
        return directPlan(plans, eventId, spec, backupId, true);
    }

    /**
     * @param runnable false to leave the plan awaiting approval (its backup recorded): the worker's own runner then
     *                 never picks it up, for tests that run it elsewhere (another process) and must not race it
     */
    static StoredPlan directPlan(PlanStore plans, String eventId, SpecChanged spec, String backupId, boolean runnable) throws Exception {
        String planId = MigrationPlanner.planIdFor(eventId);
        Plan plan;
        try (Connection c = target()) {
            plan = MigrationPlanner.plan(planId, spec, ServerTypes.catalog(c, spec.schema(), spec.changes()), ShadowSteps.ANNOUNCED);
        }
        try (Connection c = plans.connection()) {
            plans.insert(c, eventId, plan);
            plans.recordBackup(c, planId, backupId);
            if (runnable) {
                plans.transition(c, planId, PlanTransition.APPROVE, null);
                plans.transition(c, planId, PlanTransition.BACKUP_VERIFIED, null);
            }
        }
        return plans.find(planId).orElseThrow();
    }

    /** One series' value at /q/metrics, as Prometheus scrapes it; -1 while it is not served. */
    static double metric(String series) {
        return io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .findFirst().orElse(-1);
    }
}
