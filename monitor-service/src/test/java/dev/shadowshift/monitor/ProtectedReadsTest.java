package dev.shadowshift.monitor;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.AccessRules;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

/** With shadowshift.auth.protect-reads=true (the deploy manifests' setting) every GET but probes, metrics and the page needs a role. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
@TestProfile(ProtectedReadsTest.Profile.class)
class ProtectedReadsTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shadowshift.auth.protect-reads", "true");
        }
    }

    @Test
    void readsNeedAToken() {
        AccessRules.assertReadsNeedARole("/api/alerts", "/api/targets", "/api/silences", "/api/rules", "/q/openapi");
        for (String role : Roles.ALL) {
            TestTokens.as(role).get("/api/alerts").then().statusCode(200);
        }
    }

    @Test
    void probesMetricsAndTheDashboardPageStayOpen() {
        AccessRules.assertProbesOpenAndQuiet();
        given().get("/").then().statusCode(200).body(containsString("needs a token"));
        given().get("/dashboard").then().statusCode(200).body(containsString("auth-token"));
    }
}
