package dev.shadowshift.migration.it;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.plan.MigrationPlanner;
import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.AccessRules;
import dev.shadowshift.testkit.AccessRules.Call;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.shadowshift.migration.it.WorkerUnderTest.bootstrap;
import static dev.shadowshift.migration.it.WorkerUnderTest.target;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Who may act on a plan and ask for a dry run, against the running worker with a plan that waits for approval: every
 * action needs the operator role and refuses a body a foreign page could send; reads, probes and metrics are open.
 */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class AccessTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    static final String SCHEMA = "acl";

    @BeforeAll
    static void table() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            s.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".pets (id text PRIMARY KEY, name text)");
        }
    }

    static SchemaChange change(ChangeKind kind, String column, String toType, Classification classification, LockLevel lock,
                               ChangePath path) {
        return new SchemaChange(kind, SCHEMA, "pets", column, null, toType, null, null, null, null, "access test", classification,
                lock, path);
    }

    /** A spec-changed payload that adds a column: what the dry run takes. */
    static String addColumn() {
        SpecChanged spec = new SpecChanged(SCHEMA, 2, 1, "0".repeat(64), "main", SCHEMA, "BACKWARD", List.of(
                change(ChangeKind.ADD_COLUMN, "email", "text", Classification.ADDITIVE, LockLevel.NONE, ChangePath.IN_PLACE)));
        return EventCodec.mapper().valueToTree(spec).toString();
    }

    /** A plan that drops the table: it waits for an operator's approval, so every action has a plan to act on. */
    private static String planAwaitingApproval() {
        String eventId = UUID.randomUUID().toString();
        CloudEvent event = EventCodec.create(eventId, "/test/schema-service", SCHEMA, new SpecChanged(SCHEMA, 3, 2, "1".repeat(64),
                "main", SCHEMA, "BACKWARD", List.of(change(ChangeKind.DROP_TABLE, null, null, Classification.DESTRUCTIVE,
                LockLevel.ACCESS_EXCLUSIVE, ChangePath.NEEDS_APPROVAL))));
        try (TopicWatcher watcher = new TopicWatcher(bootstrap(), List.of(Topics.MIGRATION_PLANNED))) {
            TopicWatcher.send(bootstrap(), Topics.SPEC_CHANGED, "main/" + SCHEMA, EventCodec.write(event));
            String planId = MigrationPlanner.planIdFor(eventId);
            assertEquals("AWAITING_APPROVAL", WorkerUnderTest.planned(watcher, planId, WAIT).status());
            return planId;
        }
    }

    @Test
    void everyActionOnAPlanNeedsTheOperatorRoleAndTakesNoForeignBody() {
        String planId = planAwaitingApproval();
        List<String> actions = List.of("pause", "resume", "rollback", "approve", "cancel");
        for (String action : actions) {
            Call call = Call.post("/migrations/" + planId + "/" + action);
            AccessRules.assertNeedsRole(Roles.OPERATOR, call);
            AccessRules.assertRefusesSimpleBodies(Roles.OPERATOR, call);
        }
        given().get("/migrations/" + planId).then().statusCode(200).body("status", equalTo("AWAITING_APPROVAL"));

        // the operator gets the plan's own answers: a plan waiting for approval can be neither paused, resumed nor rolled back
        for (String action : List.of("pause", "resume", "rollback")) {
            assertEquals(409, AccessRules.assertLetsIn(Roles.OPERATOR, Call.post("/migrations/" + planId + "/" + action)).statusCode(), action);
        }
        assertEquals("AWAITING_BACKUP", AccessRules.assertLetsIn(Roles.OPERATOR, Call.post("/migrations/" + planId + "/approve"))
                .then().statusCode(202).extract().path("status"));
        assertEquals("CANCELLED", AccessRules.assertLetsIn(Roles.OPERATOR, Call.post("/migrations/" + planId + "/cancel"))
                .then().statusCode(202).extract().path("status"));
        for (String action : actions) {
            assertEquals(404, AccessRules.assertLetsIn(Roles.OPERATOR, Call.post("/migrations/no-such-plan/" + action)).statusCode(), action);
        }
    }

    @Test
    void aDryRunNeedsAnyRoleAndTakesOnlyJson() {
        Call dryRun = Call.post("/migrations/dry-run", "application/json", addColumn());
        AccessRules.assertNeedsAnyRole(dryRun);
        AccessRules.assertRefusesSimpleBodies(Roles.VIEWER, dryRun);
        for (String role : Roles.ALL) {
            AccessRules.assertLetsIn(role, dryRun).then().statusCode(200)
                    .body("plan.schema", equalTo(SCHEMA));
        }
    }

    @Test
    void readsApiProbesAndMetricsAreOpenAndHealthNamesNoAddress() {
        given().get("/migrations").then().statusCode(200);
        given().get("/migrations/no-such-plan").then().statusCode(404);
        given().get("/migrations/no-such-plan/dry-run").then().statusCode(404);
        AccessRules.assertApiDescribed(true, false);
        AccessRules.assertProbesOpenAndQuiet();
    }
}
