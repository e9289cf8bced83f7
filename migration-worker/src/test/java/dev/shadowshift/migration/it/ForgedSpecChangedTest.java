package dev.shadowshift.migration.it;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.TestTokens;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.plan.MigrationPlanner;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.shadowshift.migration.it.WorkerUnderTest.bootstrap;
import static dev.shadowshift.migration.it.WorkerUnderTest.target;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records anyone who can reach the broker could put on spec-changed, against the real broker and PostgreSQL: SQL in a
 * field, in a type name, in a schema name; the retired v1 that carried SQL; a DROP labelled ADDITIVE/IN_PLACE; a
 * narrowing type change labelled RELAXING. None changes anything in the target (a canary table and the catalog are
 * checked), each lands in the dead-letter topic or in AWAITING_APPROVAL with its reason, and the worker stays ready
 * and goes on planning and applying honest changes.
 */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class ForgedSpecChangedTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static TopicWatcher watcher;

    @BeforeAll
    static void canary() throws Exception {
        watcher = new TopicWatcher(bootstrap(), List.of(Topics.MIGRATION_PLANNED, Topics.MIGRATION_PROGRESS,
                Topics.SPEC_CHANGED + Topics.DEAD_LETTER_SUFFIX));
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS forged");
            s.execute("CREATE TABLE IF NOT EXISTS forged.canary (id text PRIMARY KEY, note text)");
            s.execute("INSERT INTO forged.canary VALUES ('tweet', 'alive') ON CONFLICT DO NOTHING");
        }
    }

    @AfterAll
    static void stop() {
        watcher.close();
    }

    private static SchemaChange change(ChangeKind kind, String schema, String table, String column, String toType) {
        return new SchemaChange(kind, schema, table, column, null, toType, null, null, null, null, "forged", Classification.ADDITIVE,
                LockLevel.NONE, ChangePath.IN_PLACE);
    }

    private static String send(String type, String json) {
        String id = UUID.randomUUID().toString();
        String value = json.replace("\"id\":\"ID\"", "\"id\":\"" + id + "\"").replace("dev.shadowshift.spec.changed.v2", type);
        TopicWatcher.send(bootstrap(), Topics.SPEC_CHANGED, "main/forged", value);
        return id;
    }

    private static String event(List<SchemaChange> changes) {
        CloudEvent e = EventCodec.create("ID", "/somebody", "forged",
                new SpecChanged("forged", 9, 8, "0".repeat(64), "main", "forged", "BACKWARD", changes));
        return EventCodec.write(e);
    }

    private static TopicWatcher.Seen deadLettered(String eventId) {
        return watcher.await(Topics.SPEC_CHANGED + Topics.DEAD_LETTER_SUFFIX, s -> s.value().contains(eventId), WAIT);
    }

    private static String reason(TopicWatcher.Seen dead) {
        return String.valueOf(dead.headers().get("dead-letter-reason"));
    }

    /** The canary's rows and columns, and every relation and column of the target outside the system schemas. */
    private static String fingerprint() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT (SELECT string_agg(id || '=' || coalesce(note, ''), ',' ORDER BY id) FROM forged.canary) || '|' ||
                       (SELECT string_agg(n.nspname || '.' || c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod),
                                          ',' ORDER BY 1)
                        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                        WHERE n.nspname = 'forged')""")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void forgedRecordsChangeNothingLandInTheDeadLetterTopicOrWaitForApprovalAndTheWorkerCarriesOn() throws Exception {
        String before = fingerprint();
        SchemaChange honest = change(ChangeKind.ADD_COLUMN, "forged", "canary", "email", "text");

        // the retired v1: SQL in a field, acted on by the old worker
        String v1 = send("dev.shadowshift.spec.changed.v1", event(List.of(honest)).replace("\"kind\":\"ADD_COLUMN\"",
                "\"kind\":\"ADD_COLUMN\",\"sql\":\"DROP TABLE forged.canary\""));
        assertTrue(reason(deadLettered(v1)).contains("retired"), "v1 is refused as retired");
        // v2 with SQL in a field the contract does not have
        String extra = send("dev.shadowshift.spec.changed.v2", event(List.of(honest)).replace("\"kind\":\"ADD_COLUMN\"",
                "\"kind\":\"ADD_COLUMN\",\"sql\":\"DROP TABLE forged.canary\""));
        assertTrue(reason(deadLettered(extra)).contains("sql"), reason(deadLettered(extra)));
        // SQL in a type name, in a schema name, in a table name
        String inType = send("dev.shadowshift.spec.changed.v2", event(List.of(
                change(ChangeKind.ADD_COLUMN, "forged", "canary", "x", "text; DROP TABLE forged.canary"))));
        assertTrue(reason(deadLettered(inType)).contains("toType"), reason(deadLettered(inType)));
        String inSchema = send("dev.shadowshift.spec.changed.v2", event(List.of(
                change(ChangeKind.DROP_TABLE, "forged\"; DROP TABLE forged.canary; --", "canary", null, null))));
        assertTrue(reason(deadLettered(inSchema)).contains("schema"), reason(deadLettered(inSchema)));
        // a type name of the right shape that the server does not know: refused by to_regtype, not by a pattern
        String unknownType = send("dev.shadowshift.spec.changed.v2", event(List.of(
                change(ChangeKind.ADD_COLUMN, "forged", "canary", "x", "pg_sleep"))));
        assertTrue(reason(deadLettered(unknownType)).contains("to_regtype"), reason(deadLettered(unknownType)));
        // a change to another schema than the event's
        String otherSchema = send("dev.shadowshift.spec.changed.v2", event(List.of(
                change(ChangeKind.DROP_TABLE, "public", "canary", null, null))));
        assertTrue(reason(deadLettered(otherSchema)).contains("plan is for schema 'forged'"), reason(deadLettered(otherSchema)));

        // a DROP labelled ADDITIVE/IN_PLACE and a narrowing type change labelled so: both held for approval, with the reason
        String drop = send("dev.shadowshift.spec.changed.v2", event(List.of(change(ChangeKind.DROP_TABLE, "forged", "canary", null, null))));
        MigrationPlanned dropPlan = WorkerUnderTest.planned(watcher, MigrationPlanner.planIdFor(drop), WAIT);
        assertEquals("AWAITING_APPROVAL", dropPlan.status());
        given().get("/migrations/" + dropPlan.planId()).then().statusCode(200)
                .body("status", equalTo("AWAITING_APPROVAL"))
                .body("holdReason", containsString("DROP_TABLE canary"))
                .body("holdReason", containsString("labelled it ADDITIVE/IN_PLACE"));
        String narrow = send("dev.shadowshift.spec.changed.v2", event(List.of(
                change(ChangeKind.ALTER_COLUMN_TYPE, "forged", "canary", "note", "integer"))));
        MigrationPlanned narrowPlan = WorkerUnderTest.planned(watcher, MigrationPlanner.planIdFor(narrow), WAIT);
        assertEquals("AWAITING_APPROVAL", narrowPlan.status());
        given().get("/migrations/" + narrowPlan.planId()).then().statusCode(200).body("holdReason", containsString("approval"));

        assertEquals(before, fingerprint(), "nothing changed in the target");
        given().get("/q/health/ready").then().statusCode(200);

        // and an honest change still goes through
        String ok = send("dev.shadowshift.spec.changed.v2", event(List.of(honest)));
        String planId = MigrationPlanner.planIdFor(ok);
        assertEquals("AWAITING_BACKUP", WorkerUnderTest.planned(watcher, planId, WAIT).status());
        TopicWatcher.send(bootstrap(), Topics.BACKUP_COMPLETED, planId, EventCodec.write(EventCodec.create("/test/backup-worker", planId,
                new BackupCompleted(planId, "backup-of-" + planId, "main", List.of("forged.canary"), "custom", "/backups/x.dump", 1, "a".repeat(64),
                        3, true, "2099-01-01T00:00:00Z"))));
        WorkerUnderTest.progress(watcher, planId, "COMPLETED", WAIT);
        assertTrue(fingerprint().contains("forged.canary.email:text"), fingerprint());
        TestTokens.as(Roles.OPERATOR).post("/migrations/" + dropPlan.planId() + "/cancel").then().statusCode(202).body("status", equalTo("CANCELLED"));
        TestTokens.as(Roles.OPERATOR).post("/migrations/" + dropPlan.planId() + "/approve").then().statusCode(409);
        assertTrue(fingerprint().startsWith("tweet=alive|"), "the canary lives: " + fingerprint());
    }
}
