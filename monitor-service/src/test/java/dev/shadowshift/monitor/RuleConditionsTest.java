package dev.shadowshift.monitor;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each rule against a real PostgreSQL with its condition really provoked, from the alert firing on the topic to its
 * resolution; thresholds in {@link ConditionsProfile}.
 */
@QuarkusTest
@TestProfile(ConditionsProfile.class)
@WithTestResource(ShadowshiftTestResource.class)
class RuleConditionsTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private TopicWatcher watcher;
    private Instant started;

    @BeforeEach
    void watch() {
        started = Instant.now().minusSeconds(1);
        watcher = new TopicWatcher(bootstrap, List.of(Topics.ALERTS));
    }

    @AfterEach
    void stopWatching() {
        watcher.close();
    }

    private static Connection target() throws SQLException {
        return Target.connect();
    }

    private static void sql(String... statements) throws SQLException {
        Target.sql(statements);
    }

    /** The first notification of this test (not an earlier one) with the name, status and target, matching more. */
    private Alert awaitAlert(String alertname, String status, String target, Predicate<Alert> more) {
        return awaitAlert(alertname, status, target, started, more);
    }

    /** @param since null for a condition that holds from the service's start on (its notification may be older) */
    private Alert awaitAlert(String alertname, String status, String target, Instant since, Predicate<Alert> more) {
        return Alerts.parse(watcher.await(Topics.ALERTS, seen -> {
            if (!Alerts.of(alertname, status, target).test(seen)) {
                return false;
            }
            Alert a = EventCodec.read(seen.value()).dataAs(Alert.class);
            Instant when = Instant.parse(Alert.FIRING.equals(status) ? a.startsAt() : a.endsAt());
            return (since == null || !when.isBefore(since)) && more.test(a);
        }, WAIT));
    }

    private Alert firing(String alertname, Predicate<Alert> more) {
        return awaitAlert(alertname, Alert.FIRING, "main", more);
    }

    private Alert firing(String alertname) {
        return firing(alertname, a -> true);
    }

    private Alert resolved(Alert firing) {
        Alert r = awaitAlert(firing.alertname(), Alert.RESOLVED, firing.target(), a -> a.fingerprint().equals(firing.fingerprint()));
        assertEquals(firing.startsAt(), r.startsAt());
        return r;
    }

    private static String description(Alert a) {
        return a.annotations().get("description");
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void anIdleTransactionAndTheQueryItBlocksNameTheBlockingPid() throws Exception {
        sql("CREATE TABLE public.accounts_lock(id int PRIMARY KEY, balance int)", "INSERT INTO public.accounts_lock VALUES (1, 0)");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection holder = target(); Connection waiter = target()) {
            int holderPid = pid(holder);
            int waiterPid = pid(waiter);
            holder.setAutoCommit(false);
            holder.createStatement().execute("UPDATE public.accounts_lock SET balance = 1 WHERE id = 1");
            CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
                try (Statement s = waiter.createStatement()) {
                    s.execute("UPDATE public.accounts_lock SET balance = 2 WHERE id = 1");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, pool);

            Alert idle = firing("idle_in_transaction");
            assertTrue(description(idle).contains("pid " + holderPid), description(idle));
            Alert lock = firing("blocked_queries", a -> description(a).contains("pid " + waiterPid));
            assertTrue(lock.annotations().get("summary").contains("blocked by pid " + holderPid), lock.annotations().get("summary"));
            assertTrue(description(lock).contains("public.accounts_lock"), description(lock));

            holder.rollback();
            blocked.join();
            resolved(lock);
            resolved(idle);
        } finally {
            pool.shutdownNow();
            sql("DROP TABLE public.accounts_lock");
        }
    }

    @Test
    void aRealDeadlockFiresAndResolvesOnTheNextPoll() throws Exception {
        sql("CREATE TABLE public.pair(id int PRIMARY KEY, v int)", "INSERT INTO public.pair VALUES (1, 0), (2, 0)");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection a = target(); Connection b = target()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            a.createStatement().execute("UPDATE public.pair SET v = 1 WHERE id = 1");
            b.createStatement().execute("UPDATE public.pair SET v = 1 WHERE id = 2");
            CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> {
                try {
                    a.createStatement().execute("UPDATE public.pair SET v = 2 WHERE id = 2");
                    return true;
                } catch (SQLException e) {
                    return false;
                }
            }, pool);
            boolean second;
            try {
                Thread.sleep(200); // a waits for b's row first
                b.createStatement().execute("UPDATE public.pair SET v = 2 WHERE id = 1");
                second = true;
            } catch (SQLException e) {
                assertEquals("40P01", e.getSQLState(), e.getMessage());
                second = false;
            }
            assertTrue(first.join() != second, "the server broke the deadlock by cancelling one side");
            a.rollback();
            b.rollback();

            Alert deadlock = firing("deadlocks");
            assertTrue(Integer.parseInt(deadlock.annotations().get("value")) >= 1);
            resolved(deadlock);
        } finally {
            pool.shutdownNow();
            sql("DROP TABLE public.pair");
        }
    }

    @Test
    void aFailedConcurrentIndexBuildLeavesAnInvalidIndex() throws Exception {
        sql("CREATE TABLE public.dupes(email text)", "INSERT INTO public.dupes VALUES ('a@x'), ('a@x')");
        try {
            sql("CREATE UNIQUE INDEX CONCURRENTLY dupes_email_key ON public.dupes(email)");
            throw new AssertionError("the unique index cannot be built");
        } catch (SQLException expected) {
            assertEquals("23505", expected.getSQLState());
        }
        Alert invalid = firing("invalid_index", a -> "public.dupes_email_key".equals(a.labels().get("relation")));
        assertEquals("warning", invalid.severity());
        sql("DROP INDEX public.dupes_email_key");
        resolved(invalid);
        sql("DROP TABLE public.dupes");
    }

    @Test
    void aSequenceBehindAnIntegerColumnNearItsLimit() throws Exception {
        // a bigint sequence feeding an integer column: the column's type is the limit
        sql("CREATE SEQUENCE public.ticket_seq", "CREATE TABLE public.tickets(id int DEFAULT nextval('public.ticket_seq'))",
                "ALTER SEQUENCE public.ticket_seq OWNED BY public.tickets.id", "SELECT setval('public.ticket_seq', 2000000000)");
        Alert seq = firing("sequence_exhaustion", a -> "public.ticket_seq".equals(a.labels().get("relation")));
        assertEquals("critical", seq.severity(), "93 % of the integer range");
        assertTrue(description(seq).contains("public.tickets.id"), description(seq));
        sql("SELECT setval('public.ticket_seq', 1)");
        resolved(seq);
        sql("DROP TABLE public.tickets");
    }

    @Test
    void anInactiveReplicationSlotRetainingWal() throws Exception {
        String slot = "monitor_test_" + UUID.randomUUID().toString().substring(0, 8);
        sql("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
        try {
            sql("CREATE TABLE public.wal_maker AS SELECT g, repeat('w', 200) AS pad FROM generate_series(1, 20000) g");
            Alert inactive = firing("replication_slot_inactive", a -> slot.equals(a.labels().get("slot")));
            assertTrue(description(inactive).contains("has no consumer"), description(inactive));
            sql("SELECT pg_drop_replication_slot('" + slot + "')");
            resolved(inactive);
        } finally {
            sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'",
                    "DROP TABLE IF EXISTS public.wal_maker");
        }
    }

    @Test
    void slowQueriesSayTheExtensionIsMissingThenReportTheSlowStatementByQueryId() throws Exception {
        Alert blind = awaitAlert("slow_queries", Alert.FIRING, "main", null, a -> true);
        if (!blind.severity().equals("info")) {
            return; // another run of this test created the extension already
        }
        assertTrue(blind.annotations().get("summary").contains("pg_stat_statements extension is not installed"),
                blind.annotations().get("summary"));
        boolean loaded;
        // the server's settings, as whoever sets the server up reads them (pg_read_all_settings)
        try (Connection c = dev.shadowshift.testkit.TargetFixtures.asSuperuser(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'")) {
            rs.next();
            loaded = rs.getBoolean(1);
        }
        Assumptions.assumeTrue(loaded, "the test server does not preload pg_stat_statements");
        Target.asSuperuser("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); // as deploy/postgres/init.sql does
        resolved(blind);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Void>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(CompletableFuture.runAsync(() -> {
                    try {
                        sql("SELECT pg_sleep(0.4)");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            calls.forEach(CompletableFuture::join);
        } finally {
            pool.shutdownNow();
        }
        Alert slow = firing("slow_queries", a -> a.labels().containsKey("queryid"));
        assertTrue(description(slow).contains("pg_sleep($1)"), description(slow));
        assertTrue(Double.parseDouble(slow.annotations().get("value")) >= 0.4);
        resolved(slow);
    }

    @Test
    void aTableNeitherVacuumedNorAnalyzedSinceStatisticsBegan() throws Exception {
        sql("CREATE TABLE public.neglected(id int, note text) WITH (autovacuum_enabled = false)",
                "INSERT INTO public.neglected SELECT g, 'n' FROM generate_series(1, 3000) g",
                "DELETE FROM public.neglected WHERE id <= 2000");
        Alert vacuum = firing("table_not_vacuumed", a -> "public.neglected".equals(a.labels().get("relation")));
        Alert analyze = firing("table_not_analyzed", a -> "public.neglected".equals(a.labels().get("relation")));
        assertTrue(description(vacuum).contains("2,000 dead tuples"), description(vacuum));
        sql("VACUUM ANALYZE public.neglected");
        resolved(vacuum);
        resolved(analyze);
        sql("DROP TABLE public.neglected");
    }

    @Test
    void anIndexNobodyReadsUntilAQueryUsesIt() throws Exception {
        sql("CREATE TABLE public.notes(id int, tag int)", "INSERT INTO public.notes SELECT g, g % 50 FROM generate_series(1, 5000) g",
                "CREATE INDEX notes_tag_idx ON public.notes(tag)", "ANALYZE public.notes");
        Alert unused = firing("unused_index", a -> "public.notes_tag_idx".equals(a.labels().get("relation")));
        sql("SET enable_seqscan = off", "SELECT count(*) FROM public.notes WHERE tag = 7");
        resolved(unused);
        sql("DROP TABLE public.notes");
    }

    @Test
    void aSortThatSpillsToDiskWritesTempFiles() throws Exception {
        sql("SET work_mem = '64kB'", "SELECT count(*) FROM (SELECT g FROM generate_series(1, 300000) g ORDER BY g DESC) x");
        Alert temp = firing("temp_files");
        assertTrue(description(temp).contains("temporary file"), description(temp));
        resolved(temp);
    }

    @Test
    void manyRollbacksRaiseTheRollbackRatio() throws Exception {
        try (Connection c = target()) {
            c.setAutoCommit(false);
            for (int i = 0; i < 400; i++) {
                c.createStatement().execute("SELECT 1");
                c.rollback();
            }
        }
        Alert rollbacks = firing("rollback_ratio");
        assertTrue(Double.parseDouble(rollbacks.annotations().get("value")) >= 0.3);
        resolved(rollbacks);
    }

    @Test
    void scanningATableLargerThanTheBufferRingMissesTheCache() throws Exception {
        // a quarter of shared_buffers or more is read through a small ring of buffers: mostly from outside the cache
        sql("CREATE TABLE public.big AS SELECT g, repeat('b', 120) AS pad FROM generate_series(1, 400000) g");
        try {
            for (int i = 0; i < 3; i++) {
                sql("SELECT count(*) FROM public.big");
            }
            Alert cache = firing("cache_hit_ratio");
            assertTrue(Double.parseDouble(cache.annotations().get("value")) < 0.95);
            resolved(cache);
        } finally {
            sql("DROP TABLE public.big");
        }
    }

    @Test
    void manyConnectionsSaturateThenFree() throws Exception {
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < 45; i++) {
                held.add(target());
            }
            Alert saturated = firing("connection_saturation");
            assertTrue(Double.parseDouble(saturated.annotations().get("value")) >= 0.2);
            for (Connection c : held) {
                c.close();
            }
            held.clear();
            resolved(saturated);
        } finally {
            for (Connection c : held) {
                c.close();
            }
        }
    }

    @Test
    void transactionAgeOverTheThresholdUntilTheDatabaseIsFrozen() throws Exception {
        Target.asSuperuser("VACUUM (FREEZE)");
        sql("CREATE PROCEDURE public.burn(n int) LANGUAGE plpgsql AS $$ BEGIN FOR i IN 1..n LOOP PERFORM txid_current(); COMMIT; END LOOP; END $$",
                "CALL public.burn(110000)");
        Alert old = firing("xid_wraparound");
        assertTrue(description(old).contains("The oldest table is"), description(old));
        sql("DROP PROCEDURE public.burn(int)");
        // a database-wide freeze is a DBA's: only a superuser may vacuum the shared catalogs, whose age counts too
        Target.asSuperuser("VACUUM (FREEZE)");
        resolved(old);
    }

    @Test
    void aDatabaseThatGrowsFastWithinTheWindow() throws Exception {
        sql("CREATE TABLE public.growth AS SELECT g, repeat('g', 200) AS pad FROM generate_series(1, 60000) g");
        // it keeps growing until the alert fires: one growth spurt can fall between two slow polls on a busy machine
        java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
        Thread grower = new Thread(() -> {
            for (int round = 0; round < 20 && !fired.get(); round++) {
                try {
                    Thread.sleep(3000);
                    if (!fired.get()) {
                        sql("INSERT INTO public.growth SELECT g, repeat('g', 200) FROM generate_series(1, 60000) g");
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        }, "growth");
        grower.start();
        try {
            Alert grown = firing("database_size_growth");
            fired.set(true);
            grower.join();
            assertTrue(description(grown).contains("grew from"), description(grown));
            resolved(grown); // once the window has moved past the growth
        } finally {
            fired.set(true);
            grower.interrupt();
            grower.join();
            sql("DROP TABLE public.growth");
        }
    }

    private void publish(String topic, String key, Object data, Instant time) {
        CloudEvent e = EventCodec.create("/test", key, data);
        CloudEvent at = new CloudEvent(e.specversion(), e.id(), e.source(), e.type(), e.subject(), time.toString(),
                e.datacontenttype(), e.dataschema(), e.data());
        TopicWatcher.send(bootstrap, topic, key, EventCodec.write(at));
    }

    private static BackupCompleted backup(String target) {
        return new BackupCompleted("plan-" + UUID.randomUUID(), UUID.randomUUID().toString(), target, List.of("shop.orders"),
                "custom", "/backups/x.dump", 1024, "a".repeat(64), 3, true, Instant.now().plusSeconds(86400).toString());
    }

    @Test
    void backupsTooOldOrFailedFromTheBackupEvents() {
        publish(Topics.BACKUP_COMPLETED, "p1", backup("main"), Instant.now().minus(Duration.ofHours(2)));
        Alert old = firing("backup_too_old");
        assertEquals("warning", old.severity());
        publish(Topics.BACKUP_FAILED, "p2", new BackupFailed("p2", "main", List.of("shop.orders"), "pg_dump: No space left on device"),
                Instant.now());
        Alert failed = firing("backup_failed");
        assertTrue(failed.annotations().get("summary").contains("No space left on device"), failed.annotations().get("summary"));

        publish(Topics.BACKUP_COMPLETED, "p3", backup("main"), Instant.now());
        resolved(failed);
        resolved(old);
    }

    @Test
    void aMigrationWithoutProgressForTheThresholdIsStalled() {
        String plan = "plan-" + UUID.randomUUID();
        publish(Topics.MIGRATION_PROGRESS, plan, new MigrationProgress(plan, "main", "RUNNING", "SHADOW", 2, 5, "copying orders",
                100L, 1000L, 10.0, 90L), Instant.now().minus(Duration.ofHours(1)));
        Alert stalled = firing("migration_stalled", a -> plan.equals(a.labels().get("plan_id")));
        assertTrue(description(stalled).contains("copying orders"), description(stalled));
        publish(Topics.MIGRATION_PROGRESS, plan, new MigrationProgress(plan, "main", "COMPLETED", "CUTOVER", 5, 5, "done",
                1000L, 1000L, null, null), Instant.now());
        resolved(stalled);
    }

    @Test
    void anUnreachableTargetInhibitsItsOtherAlertsUntilItAnswers() {
        Alert down = awaitAlert("target_unreachable", Alert.FIRING, "late", null, a -> true);
        assertEquals("critical", down.severity());
        assertTrue(description(down).contains("does not exist"), description(down));
        publish(Topics.BACKUP_FAILED, "p-late", new BackupFailed("p-late", "late", List.of("t"), "permission denied"), Instant.now());
        await().atMost(WAIT).until(() -> {
            JsonPath alerts = given().get("/api/alerts").then().statusCode(200).extract().jsonPath();
            return "inhibited by target_unreachable".equals(alerts.getString(
                    "find { it.alertname == 'backup_failed' && it.target == 'late' }.suppressedBy"));
        });
        assertTrue(watcher.on(Topics.ALERTS).stream().noneMatch(Alerts.of("backup_failed", Alert.FIRING, "late")),
                "held back while the target is unreachable");

        Infrastructure.shared().postgres().createDatabase(ConditionsProfile.LATE_DB);
        resolved(down);
        awaitAlert("backup_failed", Alert.FIRING, "late", a -> true);
    }

    @Test
    void aHungTargetDelaysNeitherTheOtherTargetsPollsNorTheDashboard() {
        await().atMost(WAIT).until(() -> !ConditionsProfile.ExtraTargets.HELD.isEmpty());
        // each poll of the black hole hangs until the 30 s query timeout; meanwhile main is polled every second.
        // From the end of one black-hole poll to the end of the next, a whole hung poll lies in between.
        double first = polls("blackhole");
        await().atMost(WAIT).until(() -> polls("blackhole") > first);
        double main = polls("main");
        double second = polls("blackhole");
        await().atMost(WAIT).until(() -> polls("blackhole") > second);
        assertTrue(polls("main") >= main + 10, "main went on being polled while a poll of the black hole hung: "
                + (polls("main") - main) + " polls");
        given().get("/api/alerts").then().statusCode(200);
        given().get("/api/targets").then().statusCode(200);
        given().get("/").then().statusCode(200);
        Alert hung = awaitAlert("target_unreachable", Alert.FIRING, "blackhole", null, a -> true);
        assertTrue(description(hung).contains("blackhole"), description(hung));
    }

    private static double polls(String target) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(?m)^shadowshift_monitor_polls_total\\{target=\"" + target + "\"} ([0-9.eE+]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
