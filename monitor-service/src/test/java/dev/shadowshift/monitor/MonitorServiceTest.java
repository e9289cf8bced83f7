package dev.shadowshift.monitor;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.TestTokens;
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

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String stateUrl;
    @io.quarkus.test.common.http.TestHTTPResource("/api/stream")
    java.net.URL stream;

    private TopicWatcher watcher;

    @BeforeEach
    void watch() {
        watcher = new TopicWatcher(bootstrap, List.of(Topics.ALERTS, Topics.MIGRATION_PROGRESS + Topics.DEAD_LETTER_SUFFIX));
    }

    @AfterEach
    void stopWatching() {
        watcher.close();
    }

    private static Connection target() throws SQLException {
        return Target.connect();
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

        Alert firing = Alerts.parse(watcher.await(Topics.ALERTS, Alerts.of("long_running_query", Alert.FIRING), WAIT));
        assertEquals("main", firing.target());
        assertEquals("warning", firing.severity());
        assertEquals(java.util.Set.of("alertname", "severity", "target", "database"), firing.labels().keySet(),
                "labels are identity only: no pid, no query");
        assertEquals("2", firing.annotations().get("threshold"));
        assertTrue(Double.parseDouble(firing.annotations().get("value")) >= 2.0, "value is the query's age in seconds");
        String description = firing.annotations().get("description");
        assertTrue(description.contains("SELECT pg_sleep(?)"), "literal values are redacted: " + description);
        assertTrue(firing.annotations().get("runbook_url").endsWith("/runbooks#long_running_query"));
        assertTrue(firing.generatorURL().contains(firing.fingerprint()));
        assertTrue(java.time.Instant.parse(firing.endsAt()).isAfter(java.time.Instant.parse(firing.startsAt())),
                "a firing alert's endsAt says until when it holds unless sent again");
        java.util.regex.Matcher pidIn = java.util.regex.Pattern.compile("pid (\\d+)").matcher(description);
        assertTrue(pidIn.find(), description);
        int pid = Integer.parseInt(pidIn.group(1));

        // later polls keep seeing the same alert, under the same fingerprint, without publishing again
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/alerts").then().statusCode(200)
                .body("find { it.fingerprint == '" + firing.fingerprint() + "' }.value",
                        org.hamcrest.Matchers.greaterThan((float) Double.parseDouble(firing.annotations().get("value")) + 2)));
        assertEquals(1, watcher.on(Topics.ALERTS).stream()
                .filter(Alerts.of("long_running_query", Alert.FIRING))
                .filter(s -> s.key().equals(firing.fingerprint())).count(), "no re-send within the re-send interval (1 h here)");

        try (Connection c = target(); PreparedStatement ps = c.prepareStatement("SELECT pg_cancel_backend(?)")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next() && rs.getBoolean(1), "the alert's pid label names the sleeping backend");
            }
        }

        Alert resolved = Alerts.parse(watcher.await(Topics.ALERTS, Alerts.of("long_running_query", Alert.RESOLVED), WAIT));
        assertEquals(firing.fingerprint(), resolved.fingerprint());
        assertEquals(firing.labels(), resolved.labels());
        assertEquals(firing.startsAt(), resolved.startsAt());
        assertTrue(java.time.Instant.parse(resolved.endsAt()).isBefore(java.time.Instant.now().plusSeconds(1)));

        // the notification goes out before the poll's transaction commits the new state (AlertReconciler)
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/alerts").then().statusCode(200)
                .body("fingerprint", not(hasItem(firing.fingerprint()))));
        given().get("/api/alerts/history").then().statusCode(200)
                .body("find { it.fingerprint == '" + firing.fingerprint() + "' }.status", equalTo("resolved"));
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

        Alert firing = Alerts.parse(watcher.await(Topics.ALERTS, Alerts.of("dead_tuple_ratio", Alert.FIRING), WAIT));
        assertEquals("public.bloated", firing.labels().get("relation"));
        assertEquals("warning", firing.severity(), "bloat has no critical level by default");
        assertTrue(firing.annotations().get("description").contains("15,000 dead"), firing.annotations().get("description"));
        assertEquals(0.75, Double.parseDouble(firing.annotations().get("value")), 0.001);

        await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.matchesPattern("(?s).*pg_stat_user_tables_n_dead_tup\\{datname=\"[a-z0-9_]+\",relname=\"bloated\",schemaname=\"public\",target=\"main\"} 15000.*"))
                .body(containsString("shadowshift_monitor_alerts_firing{severity=\"warning\",target=\"main\"}")));

        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE public.bloated");
        }
        Alert resolved = Alerts.parse(watcher.await(Topics.ALERTS, Alerts.of("dead_tuple_ratio", Alert.RESOLVED), WAIT));
        assertEquals(firing.fingerprint(), resolved.fingerprint());
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then()
                .body(not(containsString("relname=\"bloated\""))));
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

        TopicWatcher.send(bootstrap, Topics.MIGRATION_PLANNED, planId, EventCodec.write(EventCodec.create(
                "/shadowshift/migration-worker", planId, new dev.shadowshift.contracts.events.MigrationPlanned(planId, "shop", 2,
                        "main", "shop", "SHADOW_TABLE", "AWAITING_BACKUP", true, List.of("shop.orders"), "HIGH", 5000,
                        List.of(dev.shadowshift.contracts.events.PlanStep.of(1, new dev.shadowshift.contracts.changes.SchemaChange(
                                dev.shadowshift.contracts.changes.ChangeKind.ADD_COLUMN, "shop", "orders", "note", null, "text", true,
                                null, null, null, null, null, null, null), dev.shadowshift.contracts.changes.LockLevel.ACCESS_EXCLUSIVE,
                                dev.shadowshift.contracts.changes.ChangePath.IN_PLACE, List.of())), List.of()))));
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/migrations").then().statusCode(200)
                .body("find { it.planId == '" + planId + "' }.tables", equalTo(List.of("shop.orders")))
                .body("find { it.planId == '" + planId + "' }.status", equalTo("RUNNING"))
                .body("find { it.planId == '" + planId + "' }.stepsDone", equalTo(2))
                .body("find { it.planId == '" + planId + "' }.rowsCopied", equalTo(1200)));

        String dlq = Topics.MIGRATION_PROGRESS + Topics.DEAD_LETTER_SUFFIX;
        TopicWatcher.Seen notJson = watcher.await(dlq, s -> "{not json".equals(s.value()), WAIT);
        assertTrue(String.valueOf(notJson.headers().get("dead-letter-reason")).contains("not JSON"), notJson.headers().toString());
        TopicWatcher.Seen invalid = watcher.await(dlq, s -> s.value() != null && s.value().contains("BOGUS"), WAIT);
        assertTrue(String.valueOf(invalid.headers().get("dead-letter-reason")).contains("status"), invalid.headers().toString());
        finish(planId, bootstrap); // a plan left running would be watched by the other tests' polls
    }

    /** A plan on public.impacted, running, as migration-worker announces it. */
    private void announceRunningPlan(String planId) {
        TopicWatcher.send(bootstrap, Topics.MIGRATION_PLANNED, planId, EventCodec.write(EventCodec.create(
                "/shadowshift/migration-worker", planId, new dev.shadowshift.contracts.events.MigrationPlanned(planId, "shop", 3,
                        "main", "public", "SHADOW_TABLE", "AWAITING_BACKUP", true, List.of("public.impacted"), "HIGH", 1000,
                        List.of(dev.shadowshift.contracts.events.PlanStep.shadow(1, dev.shadowshift.contracts.events.PlanStep.Kind.SHADOW_COPY,
                                "public", "impacted", List.of(new dev.shadowshift.contracts.events.PlanStep.Rewrite("amount", "bigint", "numeric", false)),
                                dev.shadowshift.contracts.changes.LockLevel.SHARE_UPDATE_EXCLUSIVE, List.of())), List.of()))));
        TopicWatcher.send(bootstrap, Topics.MIGRATION_PROGRESS, planId, EventCodec.write(EventCodec.create(
                "/shadowshift/migration-worker", planId, new MigrationProgress(planId, "main", "RUNNING", "SHADOW", 1, 4,
                        "copying public.impacted", 100L, 1000L, 50.0, 18L))));
    }

    private static void finish(String planId, String bootstrap) {
        TopicWatcher.send(bootstrap, Topics.MIGRATION_PROGRESS, planId, EventCodec.write(EventCodec.create(
                "/shadowshift/migration-worker", planId, new MigrationProgress(planId, "main", "COMPLETED", "CUTOVER", 4, 4,
                        "done", 1000L, 1000L, null, 0L))));
    }

    @Test
    void aWriterWaitingBehindTheWorkersLockFiresMigrationImpactCriticalNextToTheProgress() throws Exception {
        String planId = "plan-" + UUID.randomUUID();
        Target.sql("CREATE TABLE public.impacted(id bigint PRIMARY KEY, amount int)");
        announceRunningPlan(planId);
        Thread writer = null;
        try (Connection worker = Target.asWorker(); // as migration-worker's sessions are
             Statement w = worker.createStatement()) {
            // the cutover's lock, held (the worker's session stays idle in its transaction)
            worker.setAutoCommit(false);
            w.execute("LOCK TABLE public.impacted IN ACCESS EXCLUSIVE MODE");
            writer = new Thread(() -> {
                try {
                    Target.sql("INSERT INTO public.impacted VALUES (1, 100)");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, "blocked-writer");
            writer.setDaemon(true);
            writer.start();

            Alert impact = Alerts.parse(watcher.await(Topics.ALERTS, Alerts.of("migration_impact", Alert.FIRING)
                    .and(s -> s.value().contains("\"critical\"") && s.value().contains(planId)), WAIT));
            assertEquals(planId, impact.labels().get("plan_id"));
            assertEquals(java.util.Set.of("alertname", "severity", "target", "database", "plan_id"), impact.labels().keySet());
            String description = impact.annotations().get("description");
            assertTrue(description.contains("for a lock on public.impacted"), description);
            assertTrue(description.contains("migration-worker's sessions (1): pid "), description);
            assertTrue(Double.parseDouble(impact.annotations().get("value")) >= 1.0, "critical at 1 s by default");

            // the dashboard's migration row carries the impact and both series
            await().atMost(WAIT).untilAsserted(() -> given().get("/api/migrations").then().statusCode(200)
                    .body("find { it.planId == '" + planId + "' }.impact.lockedRelation", equalTo("public.impacted"))
                    .body("find { it.planId == '" + planId + "' }.impact.workerSessions.size()", equalTo(1))
                    .body("find { it.planId == '" + planId + "' }.progressSamples[0].rowsPerSecond", equalTo(50.0f))
                    .body("find { it.planId == '" + planId + "' }.impactSamples.size()", org.hamcrest.Matchers.greaterThan(0)));
            await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then()
                    .body(containsString("shadowshift_monitor_migration_impact_seconds{plan_id=\"" + planId + "\",target=\"main\"}")));
            worker.commit();
            watcher.await(Topics.ALERTS, s -> Alerts.of("migration_impact", Alert.RESOLVED).test(s) && s.key().equals(impact.fingerprint()), WAIT);
        } finally {
            if (writer != null) {
                writer.join(10_000);
            }
            finish(planId, bootstrap);
            Target.sql("DROP TABLE IF EXISTS public.impacted");
        }
    }

    @Test
    void writersSlowedByTheirTriggerFireMigrationImpactWithTheStatement() throws Exception {
        String planId = "plan-" + UUID.randomUUID();
        // the server's settings, as whoever sets the server up reads them (pg_read_all_settings)
        try (Connection c = dev.shadowshift.testkit.TargetFixtures.asSuperuser(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'")) {
            rs.next();
            org.junit.jupiter.api.Assumptions.assumeTrue(rs.getBoolean(1), "the test server does not preload pg_stat_statements");
        }
        // a capture trigger that costs 300 ms a row: what writers would feel from an expensive one
        Target.asSuperuser("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        Target.sql("CREATE TABLE public.slowed(id bigint PRIMARY KEY, amount int)",
                "CREATE FUNCTION public.slow_capture() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$",
                "CREATE TRIGGER slow_capture BEFORE INSERT ON public.slowed FOR EACH ROW EXECUTE FUNCTION public.slow_capture()");
        TopicWatcher.send(bootstrap, Topics.MIGRATION_PLANNED, planId, EventCodec.write(EventCodec.create(
                "/shadowshift/migration-worker", planId, new dev.shadowshift.contracts.events.MigrationPlanned(planId, "shop", 4,
                        "main", "public", "SHADOW_TABLE", "AWAITING_BACKUP", true, List.of("public.slowed"), "HIGH", 1000,
                        List.of(), List.of()))));
        TopicWatcher.send(bootstrap, Topics.MIGRATION_PROGRESS, planId, EventCodec.write(EventCodec.create(
                "/shadowshift/migration-worker", planId, new MigrationProgress(planId, "main", "RUNNING", "SHADOW", 1, 4,
                        "copying public.slowed", 0L, 1000L, 0.0, null))));
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(4);
        java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
        try {
            for (int i = 0; i < 4; i++) {
                writers.submit(() -> {
                    try (Connection c = target(); PreparedStatement ps = c.prepareStatement("INSERT INTO public.slowed VALUES (?, ?)")) {
                        long deadline = System.nanoTime() + WAIT.toNanos();
                        while (writing.get() && System.nanoTime() < deadline) {
                            ps.setLong(1, ids.incrementAndGet());
                            ps.setInt(2, 1);
                            ps.executeUpdate();
                        }
                    }
                    return null;
                });
            }
            Alert slowed = Alerts.parse(watcher.await(Topics.ALERTS, Alerts.of("migration_impact", Alert.FIRING)
                    .and(s -> s.value().contains(planId)), WAIT));
            assertEquals("warning", slowed.severity(), "300 ms per statement: over 250 ms, under 1 s");
            String description = slowed.annotations().get("description");
            assertTrue(description.contains("INSERT INTO public.slowed VALUES ($1, $2)"), description);
            assertTrue(Double.parseDouble(slowed.annotations().get("value")) >= 0.3, description);
        } finally {
            writing.set(false);
            writers.shutdown();
            writers.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        // the writers stop, the plan ends: the alert resolves
        finish(planId, bootstrap);
        watcher.await(Topics.ALERTS, s -> Alerts.of("migration_impact", Alert.RESOLVED).test(s) && s.value().contains(planId), WAIT);
        Target.sql("DROP TABLE public.slowed", "DROP FUNCTION public.slow_capture()");
    }

    @Test
    void readyWithMetricsApiDocsAndAnOfflineDashboard() {
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP")));
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                // postgres_exporter's names where it has one
                .body(containsString("pg_up{target=\"main\"} 1.0"))
                .body(containsString("pg_settings_max_connections{target=\"main\"}"))
                .body(containsString("pg_stat_activity_count{state=\"active\",target=\"main\"}"))
                .body(containsString("pg_stat_database_deadlocks{datname="))
                .body(containsString("pg_stat_database_xact_commit{datname="))
                .body(containsString("pg_stat_database_blks_hit{datname="))
                .body(containsString("pg_database_size_bytes{datname="))
                // and ours
                .body(containsString("shadowshift_monitor_query_longest_active_seconds{datname="))
                .body(containsString("shadowshift_monitor_polls_total{target=\"main\"}"))
                .body(containsString("shadowshift_monitor_poll_duration_seconds_count{outcome=\"reached\",target=\"main\"}")));
        given().get("/api/targets").then().statusCode(200)
                .body("[0].target", equalTo("main"))
                .body("[0].reachable", equalTo(true))
                .body("[0].seesAllSessions", equalTo(true))
                .body("[0].rules.long_running_query.status", equalTo("decided"));
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/alerts/history"))
                .body(containsString("/api/migrations"))
                .body(containsString("/api/targets"));
        String page = given().get("/").then().statusCode(200).extract().asString();
        assertTrue(page.contains("Shadowshift monitor"));
        java.util.regex.Matcher loads = java.util.regex.Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page);
        int assets = 0;
        while (loads.find()) {
            String asset = loads.group(1);
            assertTrue(!asset.contains("//"), "the dashboard loads nothing from elsewhere: " + asset);
            if (asset.startsWith("webjars/")) {
                given().get("/" + asset).then().statusCode(200); // uPlot, from the service's own webjar
                assets++;
            }
        }
        assertEquals(2, assets, "uPlot's script and style sheet");
        given().get("/dashboard").then().statusCode(200).body(containsString("Shadowshift monitor"));
    }

    @Test
    void afterFlywayTheServiceHoldsNoJdbcConnectionAndStreamsTheDashboard() throws Exception {
        // a few polls have written their state by then
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/targets").then().statusCode(200)
                .body("[0].samples.size()", org.hamcrest.Matchers.greaterThan(2)));
        org.eclipse.microprofile.config.Config config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        try (Connection c = DriverManager.getConnection(stateUrl, config.getValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT coalesce(application_name, ''), count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1""")) {
            java.util.Map<String, Integer> sessions = new java.util.HashMap<>();
            while (rs.next()) {
                sessions.put(rs.getString(1), rs.getInt(2));
            }
            assertTrue(sessions.containsKey("shadowshift-monitor-state"), "the reactive pool is in use: " + sessions);
            assertEquals(null, sessions.get("PostgreSQL JDBC Driver"), "no JDBC session but the test's own: " + sessions);
        }

        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<java.util.stream.Stream<String>> response = http.send(java.net.http.HttpRequest.newBuilder(stream.toURI())
                .header("Accept", "text/event-stream").build(), java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        try (java.util.stream.Stream<String> lines = response.body()) {
            String first = lines.filter(l -> l.startsWith("data:")).findFirst().orElseThrow();
            JsonNode view = EventCodec.readTree(first.substring("data:".length()));
            assertEquals("main", view.path("targets").path(0).path("target").asText(), first);
            assertTrue(view.path("alerts").isArray() && view.path("migrations").isArray(), first);
        }
    }

    @Test
    void aSilenceHoldsBackAFiringAlertUntilItIsExpired() throws Exception {
        String body = """
                {"matchers": [{"name": "alertname", "value": "invalid_index"}, {"name": "target", "value": "ma.*", "isRegex": true}],
                 "endsAt": "%s", "createdBy": "oncall@example.com", "comment": "rebuilding the index tonight"}"""
                .formatted(java.time.Instant.now().plusSeconds(3600));
        given().contentType("application/json").body(body).post("/api/silences").then().statusCode(401);
        String id = TestTokens.as(Roles.OPERATOR).contentType("application/json").body(body)
                .post("/api/silences").then().statusCode(201).extract().path("silenceID");
        given().get("/api/silences").then().statusCode(200).body("id", hasItem(id));

        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public.twice(v int)");
            s.execute("INSERT INTO public.twice VALUES (1), (1)");
            try {
                s.execute("CREATE UNIQUE INDEX CONCURRENTLY twice_v_key ON public.twice(v)");
            } catch (SQLException expected) {
                // duplicates: the build fails and leaves the index invalid
            }
        }
        await().atMost(WAIT).untilAsserted(() -> given().get("/api/alerts").then().statusCode(200)
                .body("find { it.alertname == 'invalid_index' }.suppressedBy", equalTo("silence " + id)));
        assertTrue(watcher.on(Topics.ALERTS).stream().noneMatch(Alerts.of("invalid_index", Alert.FIRING)), "silenced: not sent");

        java.time.Instant expired = java.time.Instant.now();
        TestTokens.as(Roles.OPERATOR).delete("/api/silences/" + id).then().statusCode(204);
        Alert sent = Alerts.parse(watcher.await(Topics.ALERTS, Alerts.of("invalid_index", Alert.FIRING), WAIT));
        assertTrue(java.time.Instant.parse(sent.startsAt()).isBefore(expired), "it fired all along, it was only held back");
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE public.twice");
        }
        watcher.await(Topics.ALERTS, Alerts.of("invalid_index", Alert.RESOLVED), WAIT);
    }

    @Test
    void rulesAndRunbooksAreServed() {
        given().get("/api/rules").then().statusCode(200)
                .body("find { it.alertname == 'idle_in_transaction' }.warning", equalTo("5 min"))
                .body("find { it.alertname == 'long_running_query' }.warning", equalTo("2 s"))
                .body("size()", equalTo(dev.shadowshift.monitor.rules.Rule.values().length));
        String runbooks = given().get("/runbooks").then().statusCode(200).extract().asString();
        for (dev.shadowshift.monitor.rules.Rule r : dev.shadowshift.monitor.rules.Rule.values()) {
            assertTrue(runbooks.contains("id=\"" + r.alertname() + "\""), r.alertname());
        }
    }
}
