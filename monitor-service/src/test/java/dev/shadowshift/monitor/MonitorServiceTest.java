package dev.shadowshift.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitor against a real target database and a real Kafka broker, polling every second with a 2 s long-query
 * threshold (test profile in application.properties).
 */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class MonitorServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "shadowshift.targets.main.jdbc-url")
    String targetUrl;
    @ConfigProperty(name = "shadowshift.targets.main.username")
    String targetUser;
    @ConfigProperty(name = "shadowshift.targets.main.password")
    Optional<String> targetPassword;

    private TopicWatcher watcher;

    @BeforeEach
    void watch() {
        watcher = new TopicWatcher(bootstrap, List.of(Topics.ALERTS, Topics.MIGRATION_PROGRESS + Topics.DEAD_LETTER_SUFFIX));
    }

    @AfterEach
    void stopWatching() {
        watcher.close();
    }

    private Connection target() throws SQLException {
        return DriverManager.getConnection(targetUrl, targetUser, targetPassword.orElse(""));
    }

    /** Parses an alerts record as a downstream consumer would: schema-checked, key = fingerprint = subject. */
    private static Alert alert(TopicWatcher.Seen seen) {
        CloudEvent event = EventSchemas.parse(seen.value(), EventType.ALERT);
        Alert alert = event.dataAs(Alert.class);
        assertEquals(alert.fingerprint(), seen.key(), "alerts are keyed by fingerprint");
        assertEquals(alert.fingerprint(), event.subject());
        assertEquals("/shadowshift/monitor-service", event.source());
        return alert;
    }

    private static Predicate<TopicWatcher.Seen> alertOf(String rule, String status) {
        return seen -> {
            JsonNode data = EventCodec.readTree(seen.value()).path("data");
            return rule.equals(data.path("rule").asText()) && status.equals(data.path("status").asText());
        };
    }

    @Test
    void longRunningQueryFiresOnceAndResolvesWhenCancelled() throws Exception {
        Thread sleeper = new Thread(() -> {
            try (Connection c = target(); Statement s = c.createStatement()) {
                s.execute("SELECT pg_sleep(60)");
            } catch (SQLException e) {
                // cancelled by the test: that is the point
            }
        }, "pg-sleeper");
        sleeper.setDaemon(true);
        sleeper.start();

        Alert firing = alert(watcher.await(Topics.ALERTS, alertOf("long_running_query", "FIRING"), WAIT));
        assertEquals("main", firing.target());
        assertEquals("WARNING", firing.severity());
        assertEquals(2.0, firing.threshold());
        assertTrue(firing.value() >= 2.0, "value is the query's age in seconds: " + firing.value());
        assertEquals("SELECT pg_sleep(?)", firing.labels().get("query"), "literal values are redacted");
        assertNull(firing.endsAt());
        int pid = Integer.parseInt(firing.labels().get("pid"));

        // later polls keep seeing the same alert, under the same fingerprint, without publishing again
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/alerts").then().statusCode(200)
                .body("find { it.fingerprint == '" + firing.fingerprint() + "' }.value", org.hamcrest.Matchers.greaterThan((float) firing.value() + 2)));
        assertEquals(1, watcher.on(Topics.ALERTS).stream()
                .filter(alertOf("long_running_query", "FIRING"))
                .filter(s -> s.key().equals(firing.fingerprint())).count(), "no event while the state is unchanged");

        try (Connection c = target(); PreparedStatement ps = c.prepareStatement("SELECT pg_cancel_backend(?)")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next() && rs.getBoolean(1), "the alert's pid label names the sleeping backend");
            }
        }

        Alert resolved = alert(watcher.await(Topics.ALERTS, alertOf("long_running_query", "RESOLVED"), WAIT));
        assertEquals(firing.fingerprint(), resolved.fingerprint());
        assertEquals(firing.startsAt(), resolved.startsAt());
        assertNotNull(resolved.endsAt());

        given().get("/api/alerts").then().statusCode(200)
                .body("fingerprint", not(hasItem(firing.fingerprint())));
        given().get("/api/alerts/history").then().statusCode(200)
                .body("find { it.fingerprint == '" + firing.fingerprint() + "' }.status", equalTo("RESOLVED"));
        sleeper.join(10_000);
    }

    @Test
    void tableFullOfDeadTuplesFiresPerTableAndShowsInMetrics() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            // autovacuum off so that the dead tuples stay until the test drops the table
            s.execute("CREATE TABLE public.bloated(id bigint PRIMARY KEY, payload text) WITH (autovacuum_enabled = false)");
            s.execute("INSERT INTO public.bloated SELECT g, 'row ' || g FROM generate_series(1, 20000) g");
            s.execute("DELETE FROM public.bloated WHERE id > 5000");
        }

        Alert firing = alert(watcher.await(Topics.ALERTS, alertOf("dead_tuple_ratio", "FIRING"), WAIT));
        assertEquals("public", firing.labels().get("schema"));
        assertEquals("bloated", firing.labels().get("table"));
        assertEquals("15000", firing.labels().get("dead_tuples"));
        assertEquals(0.75, firing.value(), 0.001);

        await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("shadowshift_monitor_table_dead_tuples{schema=\"public\",table=\"bloated\",target=\"main\"} 15000"))
                .body(containsString("shadowshift_monitor_alerts_firing{target=\"main\"}")));

        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE public.bloated");
        }
        Alert resolved = alert(watcher.await(Topics.ALERTS, alertOf("dead_tuple_ratio", "RESOLVED"), WAIT));
        assertEquals(firing.fingerprint(), resolved.fingerprint());
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then()
                .body(not(containsString("table=\"bloated\""))));
    }

    @Test
    void migrationProgressReachesTheDashboardAndBadRecordsGoToTheDeadLetterTopic() {
        String planId = "plan-" + UUID.randomUUID();
        TopicWatcher.send(bootstrap, Topics.MIGRATION_PROGRESS, planId, "{not json");
        TopicWatcher.send(bootstrap, Topics.MIGRATION_PROGRESS, planId, EventCodec.write(EventCodec.create(
                "/shadowshift/migration-worker", planId,
                new MigrationProgress(planId, "main", "BOGUS", "SHADOW", 1, 3, null, null, null, null, null))));
        MigrationProgress progress = new MigrationProgress(planId, "main", "RUNNING", "SHADOW", 2, 5, "copying orders",
                1200L, 5000L, 400.0, 10L);
        TopicWatcher.send(bootstrap, Topics.MIGRATION_PROGRESS, planId,
                EventCodec.write(EventCodec.create("/shadowshift/migration-worker", planId, progress)));

        await().atMost(WAIT).untilAsserted(() -> given().get("/api/migrations").then().statusCode(200)
                .body("find { it.planId == '" + planId + "' }.status", equalTo("RUNNING"))
                .body("find { it.planId == '" + planId + "' }.stepsDone", equalTo(2))
                .body("find { it.planId == '" + planId + "' }.rowsCopied", equalTo(1200)));

        String dlq = Topics.MIGRATION_PROGRESS + Topics.DEAD_LETTER_SUFFIX;
        TopicWatcher.Seen notJson = watcher.await(dlq, s -> "{not json".equals(s.value()), WAIT);
        assertTrue(String.valueOf(notJson.headers().get("dead-letter-reason")).contains("not JSON"), notJson.headers().toString());
        TopicWatcher.Seen invalid = watcher.await(dlq, s -> s.value() != null && s.value().contains("BOGUS"), WAIT);
        assertTrue(String.valueOf(invalid.headers().get("dead-letter-reason")).contains("status"), invalid.headers().toString());
    }

    @Test
    void readyWithMetricsApiDocsAndAnOfflineDashboard() {
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP")));
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("shadowshift_monitor_connections_used{target=\"main\"}"))
                .body(containsString("shadowshift_monitor_connections_max{target=\"main\"}"))
                .body(containsString("shadowshift_monitor_query_longest_active_seconds{target=\"main\"}"))
                .body(containsString("shadowshift_monitor_target_up{target=\"main\"} 1.0"))
                .body(containsString("shadowshift_monitor_polls_total{target=\"main\"}"))
                .body(containsString("shadowshift_monitor_poll_failures_total{target=\"main\"}")));
        given().get("/api/targets").then().statusCode(200)
                .body("[0].target", equalTo("main"))
                .body("[0].reachable", equalTo(true))
                .body("[0].seesAllSessions", equalTo(true));
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/alerts/history"))
                .body(containsString("/api/migrations"))
                .body(containsString("/api/targets"));
        String page = given().get("/").then().statusCode(200).extract().asString();
        assertTrue(page.contains("Shadowshift monitor"));
        assertTrue(!page.contains("<script src") && !page.contains("<link"), "the dashboard loads nothing from elsewhere");
        given().get("/dashboard").then().statusCode(200).body(containsString("Shadowshift monitor"));
    }
}
