package dev.shadowshift.migration.it;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.migration.plan.MigrationPlanner;
import dev.shadowshift.migration.shadow.Throttle;
import jakarta.inject.Inject;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.shadowshift.migration.it.WorkerUnderTest.bootstrap;
import static dev.shadowshift.migration.it.WorkerUnderTest.progressOf;
import static dev.shadowshift.migration.it.WorkerUnderTest.target;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker against a real broker and a real PostgreSQL: spec-changed in, DDL on the target, events out. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationWorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static TopicWatcher watcher;

    @Inject
    Throttle throttle;

    @BeforeAll
    static void watch() {
        watcher = new TopicWatcher(bootstrap(), List.of(Topics.MIGRATION_PLANNED, Topics.MIGRATION_PROGRESS,
                Topics.SPEC_CHANGED + Topics.DEAD_LETTER_SUFFIX, Topics.BACKUP_COMPLETED + Topics.DEAD_LETTER_SUFFIX));
    }

    @AfterAll
    static void stop() {
        watcher.close();
    }

    @Test
    @Order(1)
    void newSchemaAndTableAreCreatedWithoutABackup() throws Exception {
        String eventId = sendSpecChanged(1, List.of(
                new SchemaChange(ChangeKind.CREATE_SCHEMA, "shop", null, null, null, null, null, null, null, null, null, null, null, null),
                createTable("customers", "name")));
        String planId = MigrationPlanner.planIdFor(eventId);

        MigrationPlanned plan = planned(planId);
        assertEquals("READY", plan.status());
        assertFalse(plan.requiresBackup());
        assertEquals(2, plan.steps().size());

        progress(planId, "STARTED");
        MigrationProgress done = progress(planId, "COMPLETED");
        assertEquals(2, done.stepsDone());
        assertEquals(2, done.stepsTotal());
        assertTrue(columns("customers").contains("name"));

        given().get("/migrations/" + planId).then().statusCode(200)
                .body("status", equalTo("COMPLETED"))
                .body("stepsDone", equalTo(2))
                .body("steps[0].kind", equalTo("CREATE_SCHEMA"))
                .body("steps[1].kind", equalTo("CREATE_TABLE"))
                .body("steps[1].table", equalTo("customers"))
                .body("steps[1].columns.name", hasItem("name"))
                .body("steps[1]", not(hasKey("sql")));
        given().get("/migrations/" + planId + "/dry-run").then().statusCode(200)
                .body("statements[1].sql", containsString("CREATE TABLE IF NOT EXISTS \"shop\".\"customers\""));
        given().get("/migrations").then().statusCode(200).body("planId", hasItem(planId));
    }

    @Test
    @Order(2)
    void addingAColumnToAnExistingTableWaitsForItsBackup() throws Exception {
        String eventId = sendSpecChanged(2, List.of(addColumn("customers", "email")));
        String planId = MigrationPlanner.planIdFor(eventId);

        MigrationPlanned plan = planned(planId);
        assertTrue(plan.requiresBackup());
        assertEquals(List.of("shop.customers"), plan.backupTables());
        assertEquals("AWAITING_BACKUP", plan.status());
        given().get("/migrations/" + planId).then().statusCode(200).body("status", equalTo("AWAITING_BACKUP"));
        assertFalse(columns("customers").contains("email"), "nothing is applied before the backup");

        String backupEvent = sendBackupCompleted(planId);
        progress(planId, "COMPLETED");
        assertTrue(columns("customers").contains("email"));
        given().get("/migrations/" + planId).then().statusCode(200)
                .body("status", equalTo("COMPLETED"))
                .body("backupId", equalTo("backup-of-" + planId));

        // the same spec-changed and the same backup-completed again: no second plan, nothing runs twice
        resend(Topics.SPEC_CHANGED, "main/shop", eventId);
        resend(Topics.BACKUP_COMPLETED, planId, backupEvent);
        String marker = sendSpecChanged(3, List.of());
        planned(MigrationPlanner.planIdFor(marker));
        long plansForSpec = given().get("/migrations").then().statusCode(200).extract().jsonPath()
                .getList("planId", String.class).stream().filter(planId::equals).count();
        assertEquals(1, plansForSpec);
        assertEquals(1, watcher.on(Topics.MIGRATION_PROGRESS).stream()
                .map(s -> progressOf(s.value())).filter(p -> p.planId().equals(planId) && p.status().equals("STARTED")).count());
        List<String> plannedIds = watcher.on(Topics.MIGRATION_PLANNED).stream().map(s -> EventCodec.read(s.value()))
                .filter(e -> e.subject().equals(planId)).map(CloudEvent::id).distinct().toList();
        assertEquals(1, plannedIds.size(), "a redelivery re-announces the plan under the same event id");
    }

    @Test
    @Order(3)
    void aFailedBackupFailsThePlan() throws Exception {
        String planId = MigrationPlanner.planIdFor(sendSpecChanged(4, List.of(addColumn("customers", "fax"))));
        assertEquals("AWAITING_BACKUP", planned(planId).status());

        send(Topics.BACKUP_FAILED, planId, EventCodec.create("/test/backup-worker", planId,
                new BackupFailed(planId, "main", List.of("shop.customers"), "pg_dump exited with 1: disk full")));

        MigrationProgress failed = progress(planId, "FAILED");
        assertTrue(failed.message().contains("disk full"), failed.message());
        given().get("/migrations/" + planId).then().statusCode(200)
                .body("status", equalTo("FAILED"))
                .body("error", containsString("disk full"));
        assertFalse(columns("customers").contains("fax"));
    }

    @Test
    @Order(4)
    void anInvalidRecordGoesToTheDeadLetterTopicAndTheConsumerCarriesOn() throws Exception {
        TopicWatcher.send(bootstrap(), Topics.SPEC_CHANGED, "main/shop", "{\"this is\": \"not a cloud event\"}");
        TopicWatcher.Seen dead = watcher.await(Topics.SPEC_CHANGED + Topics.DEAD_LETTER_SUFFIX, s -> s.value().contains("not a cloud event"), WAIT);
        assertTrue(dead.headers().values().stream().anyMatch(v -> v != null && v.contains("CloudEvents")),
                "the reason names the problem: " + dead.headers());

        String planId = MigrationPlanner.planIdFor(sendSpecChanged(5, List.of(createTable("orders", "note"))));
        progress(planId, "COMPLETED");
        assertFalse(columns("orders").isEmpty());
    }

    @Test
    @Order(5)
    void aHeldLockIsWaitedOutWithRetriesAndTheStepCompletes() throws Exception {
        String planId = MigrationPlanner.planIdFor(sendSpecChanged(6, List.of(addColumn("customers", "phone"))));
        assertEquals("AWAITING_BACKUP", planned(planId).status());

        // a backup event about a plan nobody knows is skipped, not dead-lettered
        sendBackupCompleted(UUID.randomUUID().toString());

        try (Connection holder = target()) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("LOCK TABLE \"shop\".\"customers\" IN ACCESS EXCLUSIVE MODE");
            }
            sendBackupCompleted(planId);
            MigrationProgress retry = watcher.await(Topics.MIGRATION_PROGRESS, s -> {
                MigrationProgress p = progressOf(s.value());
                return p.planId().equals(planId) && p.status().equals("RUNNING") && p.message().contains("could not lock");
            }, WAIT).value().transform(WorkerUnderTest::progressOf);
            assertTrue(retry.message().contains("retrying"), retry.message());
            assertFalse(columns("customers").contains("phone"));
            holder.rollback();
        }
        progress(planId, "COMPLETED");
        assertTrue(columns("customers").contains("phone"));
        assertTrue(watcher.on(Topics.BACKUP_COMPLETED + Topics.DEAD_LETTER_SUFFIX).isEmpty());
    }

    @Test
    @Order(6)
    void unknownPlansAre404WithAJsonError() {
        given().get("/migrations/no-such-plan").then().statusCode(404)
                .body("error", containsString("no-such-plan"));
    }

    @Test
    @Order(7)
    void everyEventTheWorkerPublishedMatchesItsSchema() {
        List<TopicWatcher.Seen> published = watcher.all().stream()
                .filter(s -> s.topic().equals(Topics.MIGRATION_PLANNED) || s.topic().equals(Topics.MIGRATION_PROGRESS)).toList();
        assertFalse(published.isEmpty());
        for (TopicWatcher.Seen s : published) {
            CloudEvent event = EventSchemas.parse(s.value(), s.topic().equals(Topics.MIGRATION_PLANNED)
                    ? EventType.MIGRATION_PLANNED : EventType.MIGRATION_PROGRESS);
            assertEquals(event.subject(), s.key(), "keyed by plan id");
            assertEquals("/shadowshift/migration-worker", event.source());
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    static SchemaChange createTable(String table, String column) {
        return new SchemaChange(ChangeKind.CREATE_TABLE, "shop", table, null, null, null, null, null, null, List.of(
                new SchemaChange.ColumnSpec("id", "text", false, true), new SchemaChange.ColumnSpec(column, "text", true, false)),
                null, null, null, null);
    }

    static SchemaChange addColumn(String table, String column) {
        return new SchemaChange(ChangeKind.ADD_COLUMN, "shop", table, column, null, "text", null, null, null, null, null, null, null, null);
    }

    private static String sendSpecChanged(int version, List<SchemaChange> changes) {
        CloudEvent event = EventCodec.create("/test/schema-service", "shop",
                new SpecChanged("shop", version, version > 1 ? version - 1 : null, "0".repeat(64), "main", "shop", "BACKWARD", changes));
        send(Topics.SPEC_CHANGED, "main/shop", event);
        return event.id();
    }

    private static String sendBackupCompleted(String planId) {
        CloudEvent event = EventCodec.create("/test/backup-worker", planId, new BackupCompleted(planId, "backup-of-" + planId,
                "main", List.of("shop.customers"), "custom", "/backups/x.dump", 1234, "a".repeat(64), 7, true,
                "2099-01-01T00:00:00Z"));
        send(Topics.BACKUP_COMPLETED, planId, event);
        return event.id();
    }

    private static final java.util.Map<String, String> SENT = new java.util.concurrent.ConcurrentHashMap<>();

    private static void send(String topic, String key, CloudEvent event) {
        String value = EventCodec.write(event);
        EventSchemas.parse(value, null);
        SENT.put(event.id(), value);
        TopicWatcher.send(bootstrap(), topic, key, value);
    }

    /** Kafka redelivers the same record value: same event id, same everything. */
    private static void resend(String topic, String key, String eventId) {
        TopicWatcher.send(bootstrap(), topic, key, SENT.get(eventId));
    }

    private static MigrationPlanned planned(String planId) {
        return WorkerUnderTest.planned(watcher, planId, WAIT);
    }

    private static MigrationProgress progress(String planId, String status) {
        return WorkerUnderTest.progress(watcher, planId, status, WAIT);
    }

    @Test
    void aCriticalAlertOnTheTargetThrottlesBackfillUntilItResolves() throws Exception {
        // as monitor-service publishes it: a structured CloudEvent with the content-type header
        java.util.Map<String, String> labels = java.util.Map.of("alertname", "connection_saturation", "severity", "critical",
                "target", "main");
        java.util.Map<String, String> annotations = java.util.Map.of("summary", "190 of 200 connections in use",
                "description", "190 of 200 connections in use (threshold 95%)");
        Alert firing = new Alert(Alert.FIRING, labels, annotations, "2026-01-01T00:00:00Z",
                java.time.Instant.now().plusSeconds(600).toString(), "http://localhost:8084/", Alert.fingerprintOf(labels));
        TopicWatcher.send(bootstrap(), Topics.ALERTS, firing.fingerprint(),
                EventCodec.write(EventCodec.create("/shadowshift/monitor-service", firing.fingerprint(), firing)));
        try (Connection c = target()) {
            await().atMost(WAIT).until(() -> throttle.reason(c, "main").isPresent());
            assertTrue(throttle.reason(c, "main").orElseThrow().contains("connection_saturation"));
            Alert resolved = new Alert(Alert.RESOLVED, labels, annotations, firing.startsAt(), "2026-01-01T00:05:00Z",
                    firing.generatorURL(), firing.fingerprint());
            TopicWatcher.send(bootstrap(), Topics.ALERTS, firing.fingerprint(),
                    EventCodec.write(EventCodec.create("/shadowshift/monitor-service", firing.fingerprint(), resolved)));
            await().atMost(WAIT).until(() -> throttle.reason(c, "main").isEmpty());
        }
    }


    @Test
    void aCriticalMigrationImpactPausesBackfillAndAWarningDoesNot() throws Exception {
        // monitor-service's migration_impact as it publishes it: the plan is part of the alert's identity
        java.util.function.Function<String, Alert> impact = severity -> {
            java.util.Map<String, String> labels = java.util.Map.of("alertname", "migration_impact", "severity", severity,
                    "target", "main", "database", "shadowshift_target", "plan_id", "plan-impact");
            return new Alert(Alert.FIRING, labels, java.util.Map.of("summary",
                    "main: while migration plan-impact runs, pid 4242 has waited 1.4 s for a lock on shop.orders",
                    "description", "While plan plan-impact runs on main, its writers wait up to 1.4 s", "value", "1.4",
                    "threshold", "critical".equals(severity) ? "1" : "0.25"), "2026-01-01T00:00:00Z",
                    java.time.Instant.now().plusSeconds(600).toString(), "http://localhost:8084/", Alert.fingerprintOf(labels));
        };
        Alert warning = impact.apply("warning");
        Alert critical = impact.apply("critical");
        try (Connection c = target()) {
            TopicWatcher.send(bootstrap(), Topics.ALERTS, warning.fingerprint(),
                    EventCodec.write(EventCodec.create("/shadowshift/monitor-service", warning.fingerprint(), warning)));
            TopicWatcher.send(bootstrap(), Topics.ALERTS, critical.fingerprint(),
                    EventCodec.write(EventCodec.create("/shadowshift/monitor-service", critical.fingerprint(), critical)));
            await().atMost(WAIT).until(() -> throttle.reason(c, "main").isPresent());
            String reason = throttle.reason(c, "main").orElseThrow();
            assertTrue(reason.contains("'migration_impact'") && reason.contains("waited 1.4 s for a lock"), reason);

            Alert resolved = new Alert(Alert.RESOLVED, critical.labels(), critical.annotations(), critical.startsAt(),
                    java.time.Instant.now().toString(), critical.generatorURL(), critical.fingerprint());
            TopicWatcher.send(bootstrap(), Topics.ALERTS, critical.fingerprint(),
                    EventCodec.write(EventCodec.create("/shadowshift/monitor-service", critical.fingerprint(), resolved)));
            await().atMost(WAIT).until(() -> throttle.reason(c, "main").isEmpty());
            // the warning is still firing: it was consumed, and it holds nothing back
            assertTrue(throttle.reason(c, "main").isEmpty());
        }
    }

    private static List<String> columns(String table) throws Exception {
        try (Connection c = target(); PreparedStatement ps = c.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = ? ORDER BY ordinal_position")) {
            ps.setString(1, table);
            List<String> names = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        }
    }
}
