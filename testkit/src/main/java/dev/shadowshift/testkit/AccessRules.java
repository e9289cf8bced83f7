package dev.shadowshift.testkit;

import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.security.Roles;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
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

    /** How long readiness may take to notice the state database went or came back (a check that waits gives up after 5 s). */
    private static final Duration PROBE_WAIT = Duration.ofSeconds(60);

    /** A role the services do not know, for a valid token that carries none of theirs. */
    private static final String NO_ROLE = "no-such-role";

    /** The content types a browser sends cross-site without a preflight, each with a body of its kind. */
    private static final Map<String, String> SIMPLE_BODIES = Map.of(
            "text/plain", "a=b",
            "application/x-www-form-urlencoded", "a=b",
            "multipart/form-data; boundary=shadowshift", "--shadowshift\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--shadowshift--\r\n");

    /** RestAssured sends a multipart body it did not build itself only when told to send it as text. */
    private static final RestAssuredConfig AS_WRITTEN = RestAssuredConfig.config()
            .encoderConfig(EncoderConfig.encoderConfig().encodeContentTypeAs("multipart/form-data", ContentType.TEXT));

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

        public static Call get(String path) {
            return new Call("GET", path, null, null);
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
     * a valid token with each other role, and with all of them together. The caller shows the right role's answer itself,
     * with {@link #assertLetsIn} or {@link TestTokens#as}.
     */
    public static void assertNeedsRole(String role, Call call) {
        assertNeedsAToken(role, call);
        List<String> others = Roles.ALL.stream().filter(r -> !r.equals(role)).toList();
        for (String other : others) {
            assertEquals(403, call.send(TestTokens.as(other)).statusCode(), call + " with role " + other);
        }
        assertEquals(403, call.send(TestTokens.as(others.toArray(String[]::new))).statusCode(), call + " with roles " + others);
    }

    /** For what any of the three roles may do (the dry runs, protected reads): 401 as above, 403 for a valid token without a role we know. */
    public static void assertNeedsAnyRole(Call call) {
        assertNeedsAToken(Roles.VIEWER, call);
        assertEquals(403, call.send(TestTokens.as(NO_ROLE)).statusCode(), call + " with a valid token without a role");
    }

    /** 401 with a Bearer challenge without a token, and for every forged or stale token that carries the role. */
    private static void assertNeedsAToken(String role, Call call) {
        Response none = call.send(RestAssured.given());
        assertEquals(401, none.statusCode(), call + " without a token");
        assertNotNull(none.header("WWW-Authenticate"), call + ": a 401 names the scheme");
        for (Map.Entry<String, String> forged : TestTokens.refusedTokens(role).entrySet()) {
            int status = call.send(RestAssured.given().header("Authorization", "Bearer " + forged.getValue())).statusCode();
            assertEquals(401, status, call + " with a token " + forged.getKey());
        }
    }

    /**
     * A valid token with the role gets past the checks: the answer is the endpoint's own (2xx, or a domain error such
     * as 404 or 409), neither 401, 403 nor 415, nor a server error. Returned for the caller's assertions on it.
     */
    public static Response assertLetsIn(String role, Call call) {
        Response r = call.send(TestTokens.as(role));
        int status = r.statusCode();
        assertTrue(status != 401 && status != 403 && status != 415 && status < 500,
                call + " as " + role + " must get past the checks: " + status + " " + r.asString());
        return r;
    }

    /**
     * A valid token with the role, a body a foreign page could send (plain text, a form, multipart): 415, on an endpoint
     * that takes JSON and on one that takes no body alike.
     */
    public static void assertRefusesSimpleBodies(String role, Call call) {
        for (Map.Entry<String, String> simple : SIMPLE_BODIES.entrySet()) {
            Response r = TestTokens.as(role).config(AS_WRITTEN).contentType(simple.getKey()).body(simple.getValue())
                    .request(call.method(), call.path());
            assertEquals(415, r.statusCode(), call + " as " + simple.getKey());
        }
    }

    /**
     * With {@code shadowshift.auth.protect-reads=true}: each read answers 401 without a token or with a forged or stale
     * one, 403 with a valid token without a role, and gets past the checks with each of the three roles.
     */
    public static void assertReadsNeedARole(String... paths) {
        for (String path : paths) {
            Call read = Call.get(path);
            assertNeedsAnyRole(read);
            for (String role : Roles.ALL) {
                assertLetsIn(role, read);
            }
        }
    }

    /** The API's description, and the explorer where it is on ({@code %prod} turns it off): with protected reads, as a viewer. */
    public static void assertApiDescribed(boolean explorerOn, boolean readsProtected) {
        RequestSpecification reader = readsProtected ? TestTokens.as(Roles.VIEWER) : RestAssured.given();
        Response openapi = reader.accept("application/json").get("/q/openapi");
        assertEquals(200, openapi.statusCode(), "/q/openapi");
        assertNotNull(openapi.jsonPath().get("paths"), "/q/openapi describes the paths: " + openapi.asString());
        RequestSpecification explorer = readsProtected ? TestTokens.as(Roles.VIEWER) : RestAssured.given();
        assertEquals(explorerOn ? 200 : 404, explorer.get("/q/swagger-ui").statusCode(),
                "/q/swagger-ui is " + (explorerOn ? "on" : "off"));
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

    /**
     * While the service's own database refuses connections, readiness answers 503 and says DOWN with the SQLSTATE for
     * it, liveness stays UP, and neither names an address; once the database is back, readiness says it is UP again.
     * Meanwhile the state database's connections are gone, so a test class calls this last.
     */
    public static void assertProbesQuietWhileTheStateDatabaseIsDown() throws SQLException {
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        String database = url.substring(url.lastIndexOf('/') + 1).split("\\?", 2)[0];
        try (Connection admin = Infrastructure.shared().postgres().connect("postgres")) {
            allowConnections(admin, database, false);
            try {
                await().atMost(PROBE_WAIT).untilAsserted(() ->
                        assertEquals("DOWN", stateCheck("status"), "readiness follows the state database"));
                Response ready = RestAssured.given().get("/q/health/ready");
                assertEquals(503, ready.statusCode(), ready.asString());
                assertTrue(stateCheck("data.state").matches("DOWN \\(SQLSTATE \\w{5}\\)"), ready.asString());
                assertProbesOpenAndQuiet();
                RestAssured.given().get("/q/health/live").then().statusCode(200);
            } finally {
                allowConnections(admin, database, true);
            }
        }
        await().atMost(PROBE_WAIT).untilAsserted(() -> assertEquals("UP", stateCheck("status"), "the state database is back"));
    }

    /** A field of readiness's "state database" check. */
    private static String stateCheck(String field) {
        return RestAssured.given().get("/q/health/ready").jsonPath().getString("checks.find { it.name == 'state database' }." + field);
    }

    private static void allowConnections(Connection admin, String database, boolean allow) throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE " + SqlIdentifiers.quote(database) + " ALLOW_CONNECTIONS " + allow);
        }
        if (!allow) {
            try (PreparedStatement kill = admin.prepareStatement(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
                kill.setString(1, database);
                kill.execute();
            }
        }
    }
}
