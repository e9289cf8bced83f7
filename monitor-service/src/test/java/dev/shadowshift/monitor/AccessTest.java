package dev.shadowshift.monitor;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.AccessRules;
import dev.shadowshift.testkit.AccessRules.Call;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static io.restassured.RestAssured.given;

/** Who may silence alerts, against the running service; reads and probes are open by default. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class AccessTest {

    static String silence() {
        return """
                {"matchers": [{"name": "alertname", "value": "access_test"}], "endsAt": "%s",
                 "createdBy": "oncall@example.com", "comment": "access test"}""".formatted(Instant.now().plusSeconds(600));
    }

    @Test
    void silencingNeedsTheOperatorRole() {
        Call create = Call.post("/api/silences", "application/json", silence());
        AccessRules.assertNeedsRole(Roles.OPERATOR, create);
        AccessRules.assertRefusesSimpleBodies(Roles.OPERATOR, create);
        String id = TestTokens.as(Roles.OPERATOR).contentType("application/json").body(silence()).post("/api/silences")
                .then().statusCode(201).extract().path("silenceID");
        AccessRules.assertNeedsRole(Roles.OPERATOR, Call.delete("/api/silences/" + id));
        TestTokens.as(Roles.OPERATOR).delete("/api/silences/" + id).then().statusCode(204);
    }

    @Test
    void readsProbesAndMetricsAreOpenAndHealthNamesNoAddress() {
        given().get("/api/alerts").then().statusCode(200);
        given().get("/api/silences").then().statusCode(200);
        AccessRules.assertProbesOpenAndQuiet();
    }
}
