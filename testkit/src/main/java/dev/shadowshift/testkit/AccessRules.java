package dev.shadowshift.testkit;

import dev.shadowshift.security.Roles;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access rules every service keeps, asserted against the running service: what a caller without a token, with
 * a forged or stale one, or with the wrong role gets; that bodies a foreign page could send are refused; that probes
 * and metrics stay open and say nothing about where the databases are.
 */
public final class AccessRules {

    /** Anything that looks like an address: a URL, a JDBC URL, a host:port, an IPv4 address. */
    private static final Pattern ADDRESS = Pattern.compile("(?i)(jdbc:|postgresql://|https?://|localhost|\\b\\d{1,3}(\\.\\d{1,3}){3}\\b|:\\d{2,5}\\b)");

    private AccessRules() {
    }

    /** One endpoint call: method, path and, for a body, its JSON or YAML content type. */
    public record Call(String method, String path, String contentType, String body) {

        public static Call post(String path, String contentType, String body) {
            return new Call("POST", path, contentType, body);
        }

        public static Call post(String path) {
            return new Call("POST", path, null, null);
        }

        public static Call delete(String path) {
            return new Call("DELETE", path, null, null);
        }

        Response send(RequestSpecification request) {
            if (contentType != null) {
                request = request.contentType(contentType).body(body == null ? "" : body);
            }
            return request.request(method, path);
        }
    }

    /**
     * 401 (with a Bearer challenge) without a token and for every forged or stale token that carries the role; 403 for
     * a valid token with every other role. The caller shows the right role's 2xx itself, with {@link TestTokens#as}.
     */
    public static void assertNeedsRole(String role, Call call) {
        Response none = call.send(RestAssured.given());
        assertEquals(401, none.statusCode(), call + " without a token");
        assertNotNull(none.header("WWW-Authenticate"), call + ": a 401 names the scheme");
        for (Map.Entry<String, String> forged : TestTokens.refusedTokens(role).entrySet()) {
            int status = call.send(RestAssured.given().header("Authorization", "Bearer " + forged.getValue())).statusCode();
            assertEquals(401, status, call + " with a token " + forged.getKey());
        }
        List<String> others = Roles.ALL.stream().filter(r -> !r.equals(role)).toList();
        assertEquals(403, call.send(TestTokens.as(others.toArray(String[]::new))).statusCode(), call + " with roles " + others);
    }

    /** A valid token with the role, a body a foreign page could send: 415. */
    public static void assertRefusesSimpleBodies(String role, Call call) {
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded")) {
            Response r = TestTokens.as(role).contentType(type).body("a=b").request(call.method(), call.path());
            assertEquals(415, r.statusCode(), call + " as " + type);
        }
    }

    /** Liveness, readiness and metrics answer without a token, and health names no host, port or URL. */
    public static void assertProbesOpenAndQuiet() {
        for (String probe : List.of("/q/health", "/q/health/live", "/q/health/ready")) {
            Response r = RestAssured.given().get(probe);
            assertTrue(r.statusCode() == 200 || r.statusCode() == 503, probe + " answers without a token: " + r.statusCode());
            String body = r.asString();
            assertFalse(ADDRESS.matcher(body).find(), probe + " must not name an address: " + body);
        }
        assertEquals(200, RestAssured.given().get("/q/metrics").statusCode(), "/q/metrics answers without a token");
    }
}
