package dev.shadowshift.backup.it;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.AccessRules;
import dev.shadowshift.testkit.AccessRules.Call;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.shadowshift.backup.it.WorkerUnderTest.finished;
import static dev.shadowshift.backup.it.WorkerUnderTest.sql;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Who may make, verify, pin, unpin and restore backups, against the running worker with a real backup: every one needs
 * the operator role and refuses a body a foreign page could send; reads, probes and metrics are open.
 */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class AccessTest {

    static final String BACKUP = "{\"target\":\"main\",\"tables\":[\"acl.pets\"]}";

    @BeforeAll
    static void table() throws Exception {
        sql("CREATE SCHEMA IF NOT EXISTS acl",
                "CREATE TABLE IF NOT EXISTS acl.pets (id int PRIMARY KEY, name text)",
                "INSERT INTO acl.pets SELECT g, 'p' || g FROM generate_series(1, 50) g ON CONFLICT DO NOTHING");
    }

    static Call restore(String backupId, String database) {
        return Call.post("/backups/" + backupId + "/restore", "application/json", "{\"database\":\"" + database + "\"}");
    }

    @Test
    void makingABackupNeedsTheOperatorRoleAndTakesOnlyJson() {
        Call create = Call.post("/backups", "application/json", BACKUP);
        AccessRules.assertNeedsRole(Roles.OPERATOR, create);
        AccessRules.assertRefusesSimpleBodies(Roles.OPERATOR, create);
        String id = AccessRules.assertLetsIn(Roles.OPERATOR, create).then().statusCode(202).extract().path("id");
        assertEquals("VERIFIED", finished(id).getString("status"));
    }

    @Test
    void verifyingPinningUnpinningAndRestoringNeedTheOperatorRoleAndTakeNoForeignBody() {
        String id = AccessRules.assertLetsIn(Roles.OPERATOR, Call.post("/backups", "application/json", BACKUP))
                .then().statusCode(202).extract().path("id");
        assertEquals("VERIFIED", finished(id).getString("status"));
        String database = Infrastructure.uniqueName("restore");
        List<Call> calls = List.of(Call.post("/backups/" + id + "/verify"), Call.post("/backups/" + id + "/pin"),
                Call.post("/backups/" + id + "/unpin"), restore(id, database));
        for (Call call : calls) {
            AccessRules.assertNeedsRole(Roles.OPERATOR, call);
            AccessRules.assertRefusesSimpleBodies(Roles.OPERATOR, call);
        }
        given().get("/backups/" + id).then().statusCode(200).body("pinned", equalTo(false)).body("status", equalTo("VERIFIED"));

        AccessRules.assertLetsIn(Roles.OPERATOR, Call.post("/backups/" + id + "/verify")).then().statusCode(200).body("status", equalTo("VERIFIED"));
        AccessRules.assertLetsIn(Roles.OPERATOR, Call.post("/backups/" + id + "/pin")).then().statusCode(200).body("pinned", equalTo(true));
        AccessRules.assertLetsIn(Roles.OPERATOR, Call.post("/backups/" + id + "/unpin")).then().statusCode(200).body("pinned", equalTo(false));
        AccessRules.assertLetsIn(Roles.OPERATOR, restore(id, database)).then().statusCode(200).body("database", equalTo(database));
        for (String action : List.of("verify", "pin", "unpin")) {
            assertEquals(404, AccessRules.assertLetsIn(Roles.OPERATOR, Call.post("/backups/no-such-backup/" + action)).statusCode(), action);
        }
        assertEquals(404, AccessRules.assertLetsIn(Roles.OPERATOR, restore("no-such-backup", Infrastructure.uniqueName("restore"))).statusCode());
    }

    @Test
    void readsApiProbesAndMetricsAreOpenAndHealthNamesNoAddress() {
        given().get("/backups").then().statusCode(200);
        given().get("/backups/no-such-backup").then().statusCode(404);
        AccessRules.assertApiDescribed(true, false);
        AccessRules.assertProbesOpenAndQuiet();
    }
}
