package dev.shadowshift.migration.it;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.TestTokens;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.messaging.EventPublisher;
import dev.shadowshift.migration.plan.MigrationPlanner;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.shadow.LockNotAcquired;
import dev.shadowshift.migration.shadow.RollbackWindowClosed;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowNames;
import dev.shadowshift.migration.shadow.ShadowStore;
import dev.shadowshift.migration.shadow.Throttle;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.shadowshift.migration.it.WorkerUnderTest.bootstrap;
import static dev.shadowshift.migration.it.WorkerUnderTest.metric;
import static dev.shadowshift.migration.it.WorkerUnderTest.progressOf;
import static dev.shadowshift.migration.it.WorkerUnderTest.target;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The shadow-table path against a real broker and a real PostgreSQL, under concurrent writes, crashes and held locks. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShadowMigrationTest {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static TopicWatcher watcher;
    private static String busyPlan;

    @Inject TargetDatabases targets;
    @Inject ShadowStore shadowStore;
    @Inject PlanStore plans;
    @Inject EventPublisher publisher;
    @Inject MigrationConfig config;
    @Inject Throttle throttle;

    @BeforeAll
    static void watch() throws Exception {
        watcher = new TopicWatcher(bootstrap(), List.of(Topics.MIGRATION_PLANNED, Topics.MIGRATION_PROGRESS));
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS load");
        }
    }

    @AfterAll
    static void stop() {
        watcher.close();
    }

    /** A writer inserts, updates and deletes throughout, mirroring each write into a reference table in the same transaction. */
    static final class Writer implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong writes = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final Thread thread;
        volatile Throwable lastFailure;

        Writer(String table, int maxId) {
            thread = new Thread(() -> {
                try (Connection c = target()) {
                    c.setAutoCommit(false);
                    long nextId = maxId + 1;
                    while (running.get()) {
                        ThreadLocalRandom r = ThreadLocalRandom.current();
                        // one write in ten moves a row to the negative key -id (below every key the backfill has
                        // not reached yet); updates and deletes then find the row under either key
                        int op = r.nextInt(10) == 0 ? 3 : r.nextInt(3);
                        long id = op == 0 ? nextId++ : 1 + r.nextInt((int) nextId);
                        int n = r.nextInt(1_000_000);
                        try (Statement s = c.createStatement()) {
                            for (String t : List.of(table, table + "_ref")) {
                                switch (op) {
                                    case 0 -> s.execute("INSERT INTO load." + t + "(id, n, note) VALUES (" + id + ", " + n + ", 'w" + n + "')");
                                    case 1 -> s.execute("UPDATE load." + t + " SET n = " + n + ", note = 'u" + n + "' WHERE id IN (" + id + ", " + -id + ")");
                                    case 3 -> s.execute("UPDATE load." + t + " SET id = -id WHERE id = " + id);
                                    default -> s.execute("DELETE FROM load." + t + " WHERE id IN (" + id + ", " + -id + ")");
                                }
                            }
                            c.commit();
                            writes.incrementAndGet();
                        } catch (SQLException e) {
                            failures.incrementAndGet();
                            lastFailure = e;
                            c.rollback();
                        }
                    }
                } catch (SQLException e) {
                    lastFailure = e;
                    failures.incrementAndGet();
                }
            }, "writer-" + table);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    static void createTable(String table, int rows, String nType) throws SQLException {
        try (Connection c = target(); Statement s = c.createStatement()) {
            for (String t : List.of(table, table + "_ref")) {
                s.execute("CREATE TABLE load." + t + " (id bigint PRIMARY KEY, n " + nType + " CHECK (n >= 0), note text)");
                s.execute("INSERT INTO load." + t + " SELECT g, g, 'row ' || g FROM generate_series(1, " + rows + ") g");
            }
            s.execute("CREATE INDEX " + table + "_n ON load." + table + " (n)");
        }
    }

    @Test
    @Order(1)
    void aTypeChangeOfABusyTableLosesNoWriteAndFailsNoClient() throws Exception {
        createTable("busy", 20_000, "integer");
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE VIEW load.busy_view AS SELECT id, n FROM load.busy WHERE n > 10");
            s.execute("COMMENT ON TABLE load.busy IS 'the busy one'");
        }
        try (Writer writer = new Writer("busy", 20_000)) {
            String eventId = sendSpecChanged("busy", 1, List.of(typeChange("busy", "n", "integer", "bigint")));
            busyPlan = MigrationPlanner.planIdFor(eventId);
            MigrationPlanned plan = planned(busyPlan);
            assertEquals("SHADOW_TABLE", plan.strategy());
            assertEquals("AWAITING_BACKUP", plan.status(), "a widening needs no approval, only its backup");
            Thread.sleep(500);
            sendBackupCompleted(busyPlan, "load.busy");
            MigrationProgress done = progress(busyPlan, "COMPLETED");
            assertTrue(done.message().contains("applied"), done.message());
            Thread.sleep(500);
            writer.close();
            assertEquals(0, writer.failures.get(), "client writes failed: " + writer.lastFailure);
            assertTrue(writer.writes.get() > 50, "the writer kept writing: " + writer.writes.get());
        }
        assertEquals("bigint", columnType("busy", "n"));
        assertEqualToReference("busy");
        for (String phase : List.of("PREPARATION", "SHADOW", "OPTIMIZATION", "CUTOVER")) {
            assertTrue(watcher.on(Topics.MIGRATION_PROGRESS).stream().map(s -> progressOf(s.value()))
                    .anyMatch(p -> p.planId().equals(busyPlan) && p.phase().equals(phase)), "a progress event for " + phase);
        }
        assertTrue(watcher.on(Topics.MIGRATION_PROGRESS).stream().map(s -> progressOf(s.value()))
                .anyMatch(p -> p.planId().equals(busyPlan) && p.rowsCopied() != null && p.rowsTotal() != null), "backfill progress");
        // the operator can tell a slow copy from slow bookkeeping
        assertTrue(watcher.on(Topics.MIGRATION_PROGRESS).stream().map(s -> progressOf(s.value()))
                .anyMatch(p -> p.planId().equals(busyPlan) && p.message().startsWith("backfill done: ")
                        && p.message().matches(".*\\(\\d+ batches: copying [0-9.]+ s, throttle [0-9.]+ s, checkpoints [0-9.]+ s, change log [0-9.]+ s\\)")),
                "the backfill's time split");
        try (Connection c = target(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) FROM load.busy_view");
            rs.next();
            assertTrue(rs.getLong(1) > 0);
            rs = s.executeQuery("SELECT obj_description('load.busy'::regclass, 'pg_class'), "
                    + "(SELECT count(*) FROM pg_index WHERE indrelid = 'load.busy'::regclass), "
                    + "(SELECT relname FROM pg_class WHERE oid = (SELECT indexrelid FROM pg_index WHERE indrelid = 'load.busy'::regclass AND indisprimary))");
            rs.next();
            assertEquals("the busy one", rs.getString(1));
            assertEquals(2, rs.getInt(2), "primary key and the n index were rebuilt");
            assertEquals("busy_pkey", rs.getString(3));
        }
        assertNoCaptureLeftovers();
        try (Connection c = target(); Statement s = c.createStatement()) {
            // the tool's functions and log tables live in its own schema; only the rollback table (and its indexes)
            // stays in the user's until the rollback window closes
            ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'load'::regnamespace), "
                    + "(SELECT count(*) FROM pg_class WHERE relnamespace = 'load'::regnamespace AND relname LIKE '%\\_ss\\_%' "
                    + "AND relname NOT LIKE '%\\_ss\\_old\\_%')");
            rs.next();
            assertEquals(0, rs.getInt(1), "functions of the tool in the user's schema");
            assertEquals(0, rs.getInt(2), "tables of the tool in the user's schema");
        }
        given().get("/migrations/" + busyPlan).then().statusCode(200).body("status", equalTo("COMPLETED"));
        // the writer deletes and inserts meanwhile: the counter agrees with the progress events, not with 20,000
        long reported = watcher.on(Topics.MIGRATION_PROGRESS).stream().map(s -> progressOf(s.value()))
                .filter(p -> p.planId().equals(busyPlan) && p.rowsCopied() != null).mapToLong(p -> p.rowsCopied()).max().orElse(0);
        double copied = metric("shadowshift_migration_rows_copied_total{table=\"load.busy\",target=\"main\"}");
        assertTrue(copied > 0 && copied >= reported, "rows copied " + copied + ", reported " + reported);
        assertTrue(metric("shadowshift_migration_plans_total{outcome=\"completed\",target=\"main\"}") >= 1, "completed plans");
        TestTokens.as(Roles.OPERATOR).post("/migrations/" + busyPlan + "/pause").then().statusCode(409).body("error", containsString("COMPLETED"));
    }

    @Test
    @Order(2)
    void rollbackSwapsTheOriginalBackWithTheWritesMadeSinceCutover() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            // writes after cutover reach the rollback table through reverse sync
            // writes after cutover: the window's slot captures their keys, the rollback replays them
            for (String t : List.of("busy", "busy_ref")) {
                s.execute("INSERT INTO load." + t + " (id, n, note) VALUES (900000001, 7, 'after cutover')");
                s.execute("UPDATE load." + t + " SET note = 'changed after cutover' WHERE id = 5");
                s.execute("DELETE FROM load." + t + " WHERE id BETWEEN 10 AND 19");
                s.execute("UPDATE load." + t + " SET id = -id WHERE id = 30");
            }
        }
        TestTokens.as(Roles.OPERATOR).post("/migrations/" + busyPlan + "/rollback").then().statusCode(202);
        MigrationProgress rolledBack = progress(busyPlan, "ROLLED_BACK");
        assertTrue(rolledBack.message().contains("carried back"), rolledBack.message());
        assertEquals("integer", columnType("busy", "n"));
        assertEqualToReference("busy");
        given().get("/migrations/" + busyPlan).then().statusCode(200).body("status", equalTo("ROLLED_BACK"));
        assertTrue(metric("shadowshift_migration_plans_total{outcome=\"rolled_back\",target=\"main\"}") >= 1, "rolled-back plans");
        try (Connection c = target(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE n.nspname = 'load' AND c.relname LIKE 'busy\\_ss\\_%'");
            rs.next();
            assertEquals(0, rs.getInt(1), "no rebuilt, rollback or lost table is left");
            rs = s.executeQuery("SELECT count(*) FROM load.busy_view");
            rs.next();
            assertTrue(rs.getLong(1) > 0, "the view follows the restored table");
        }
        assertNoCaptureLeftovers();
        assertNothingOfTheWindowLeft(ShadowNames.of(busyPlan, "load", "busy"));
    }

    @Test
    @Order(3)
    void castsThatWouldFailStopTheMigrationBeforeAnythingChanges() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE load.codes (id integer PRIMARY KEY, code text)");
            s.execute("INSERT INTO load.codes SELECT g, g::text FROM generate_series(1, 1000) g");
            s.execute("UPDATE load.codes SET code = 'x' || id WHERE id IN (17, 400)");
        }
        String planId = MigrationPlanner.planIdFor(sendSpecChanged("codes", 3, List.of(typeChange("codes", "code", "text", "integer"))));
        assertEquals("AWAITING_APPROVAL", planned(planId).status(), "text to integer may refuse values: it waits for approval");
        TestTokens.as(Roles.OPERATOR).post("/migrations/" + planId + "/approve").then().statusCode(202).body("status", equalTo("AWAITING_BACKUP"));
        given().get("/migrations/" + planId + "/dry-run").then().statusCode(200)
                .body("shadowRebuilds[0].preflight.casts[0].failingRows", equalTo(2))
                .body("shadowRebuilds[0].preflight.casts[0].sampleKeys[0]", equalTo("17"))
                .body("shadowRebuilds[0].sql[0]", containsString("CREATE SCHEMA IF NOT EXISTS"))
                .body("shadowRebuilds[0].sql[1]", containsString("DROP TRIGGER IF EXISTS"));
        sendBackupCompleted(planId, "load.codes");
        MigrationProgress failed = progress(planId, "FAILED");
        assertTrue(failed.message().contains("2 row(s)") && failed.message().contains("17"), failed.message());
        assertEquals("text", columnType("codes", "code"));
        assertTrue(metric("shadowshift_migration_plans_total{outcome=\"failed\",target=\"main\"}") >= 1, "failed plans");
        assertNoCaptureLeftovers();
    }

    @Test
    @Order(4)
    void aDestructiveChangeWaitsForApproval() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE load.legacy (id integer PRIMARY KEY, old text)");
        }
        String planId = MigrationPlanner.planIdFor(sendSpecChanged("legacy", 4, List.of(new SchemaChange(ChangeKind.DROP_COLUMN, "load", "legacy", "old",
                null, null, null, null, null, null, null, null, null, null))));
        assertEquals("AWAITING_APPROVAL", planned(planId).status());
        sendBackupCompleted(planId, "load.legacy");
        TestTokens.as(Roles.OPERATOR).post("/migrations/" + planId + "/resume").then().statusCode(409).body("error", containsString("AWAITING_APPROVAL"));
        await(() -> plans.find(planId).orElseThrow().backupId() != null);
        assertEquals(List.of("id", "old"), columns("legacy"), "nothing is dropped before approval");
        // what on-call sees while it waits (the gauge reads the state database at most every 5 s)
        await(() -> metric("shadowshift_migration_plans_in_state{state=\"awaiting_approval\",target=\"main\"}") >= 1);
        TestTokens.as(Roles.OPERATOR).post("/migrations/" + planId + "/approve").then().statusCode(202).body("status", equalTo("READY"));
        progress(planId, "COMPLETED");
        assertEquals(List.of("id"), columns("legacy"));
    }

    @Test
    @Order(5)
    void aCrashAtEveryCheckpointResumesToAConsistentEndWithNothingLeftOver() throws Exception {
        // BACKFILL_BATCH_COPIED: a batch committed, its checkpoint not (the resumed run must not copy it twice)
        List<String> checkpoints = List.of("PREPARED", "SHADOW_CREATED", "BACKFILLING", "BACKFILL_BATCH_COPIED", "BACKFILL_BATCH",
                "BACKFILLED", "OPTIMIZED", "VALIDATED", "CUT_OVER");
        for (int i = 0; i < checkpoints.size(); i++) {
            crashThenResume("crash_" + i, 100 + i, checkpoints.get(i), plan -> {
            });
        }
    }

    @Test
    @Order(5)
    void aServerCrashThatEmptiedTheUnloggedChangeLogStartsTheRebuildOver() throws Exception {
        crashThenResume("recovered", 199, "BACKFILL_BATCH", plan -> {
            // what crash recovery does to unlogged tables: the writes logged so far are gone
            ShadowNames n = ShadowNames.of(plan.planId(), "load", "recovered");
            try (Connection c = target(); Statement s = c.createStatement()) {
                s.execute("TRUNCATE " + n.tool(n.changeLog()) + ", " + n.tool(n.backfillPosition()));
            }
        });
    }

    interface WhileDown {
        void run(StoredPlan plan) throws Exception;
    }

    /**
     * A rebuild of a busy table dies at {@code checkpoint}; {@code whileDown} runs; a fresh engine resumes it to
     * its cutover, and a redelivery after that runs nothing again. No client write failed, the table equals its
     * reference and nothing of the rebuild is left.
     */
    private void crashThenResume(String table, int version, String checkpoint, WhileDown whileDown) throws Exception {
        createTable(table, 3_000, "integer");
        StoredPlan plan = storedPlan(table, version);
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        ShadowEngine crashing = crashingAt(checkpoint);
        try (Writer writer = new Writer(table, 3_000)) {
            assertThrows(SimulatedCrash.class, () -> crashing.run(new ShadowEngine.Progress(plan, 0, 4), rebuild), checkpoint);
            Thread.sleep(200);
            whileDown.run(plan);
            ShadowEngine restarted = new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle);
            assertEquals(ShadowEngine.Outcome.CUT_OVER, restarted.run(new ShadowEngine.Progress(plan, 0, 4), rebuild), checkpoint);
            // a redelivery after completion runs nothing again
            assertEquals(ShadowEngine.Outcome.CUT_OVER, restarted.run(new ShadowEngine.Progress(plan, 0, 4), rebuild), checkpoint);
            Thread.sleep(200);
            writer.close();
            assertEquals(0, writer.failures.get(), checkpoint + ": " + writer.lastFailure);
        }
        assertEquals("bigint", columnType(table, "n"), checkpoint);
        assertEqualToReference(table);
        assertNoCaptureLeftovers();
    }

    @Test
    @Order(6)
    void aHeldLockAtCutoverIsRetriedThenGivenUpWithTheOriginalServing() throws Exception {
        createTable("held", 2_000, "integer");
        StoredPlan plan = storedPlan("held", 200);
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        LockNotAcquired failure;
        try (Connection holder = target()) {
            holder.setAutoCommit(false);
            AtomicLong slowest = new AtomicLong();
            AtomicBoolean probing = new AtomicBoolean(true);
            ShadowEngine engine = new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle, reached -> {
                if (reached.equals("VALIDATED")) {
                    try (Statement s = holder.createStatement()) {
                        // a long-running reader: its ACCESS SHARE blocks the cutover's ACCESS EXCLUSIVE
                        s.execute("SELECT count(*) FROM load.held");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            Thread client = new Thread(() -> {
                try (Connection c = target(); Statement s = c.createStatement()) {
                    while (probing.get()) {
                        long t0 = System.nanoTime();
                        s.execute("UPDATE load.held SET note = 'probe' WHERE id = 1");
                        slowest.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                        Thread.sleep(5);
                    }
                } catch (Exception e) {
                    slowest.set(Long.MAX_VALUE);
                }
            });
            client.start();
            failure = assertThrows(LockNotAcquired.class, () -> engine.run(new ShadowEngine.Progress(plan, 0, 4), rebuild));
            probing.set(false);
            client.join();
            holder.rollback();
            assertTrue(failure.getMessage().contains("cutover") && failure.getMessage().contains("attempts"), failure.getMessage());
            // generous bound: lock_timeout (200ms) plus scheduling noise on a busy 2-core machine
            assertTrue(slowest.get() < config.shadow().cutoverLockTimeout().toMillis() + 1_500,
                    "a client waited " + slowest.get() + "ms");
        }
        assertEquals("integer", columnType("held", "n"), "the original is untouched");
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO load.held (id, n) VALUES (999999, 1)");
        }
        // the reader blocked the removal of the capture triggers too; once the plan is FAILED the sweep removes them
        assertTrue(plans.transition(plan.planId(), dev.shadowshift.migration.plan.PlanTransition.FAIL, failure.getMessage()).isPresent());
        new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle).sweepLeftovers();
        assertNoCaptureLeftovers();
        assertEquals("ABANDONED", shadowStore.find(plan.planId(), "held").orElseThrow().phase());
    }

    @Test
    @Order(7)
    void aViewThatCannotBeRecreatedAtCutoverFailsThePlanAndLeavesTheOriginalServing() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE load.viewfail (id bigint PRIMARY KEY, n integer, note text)");
            s.execute("INSERT INTO load.viewfail SELECT g, g, 'row ' || g FROM generate_series(1, 2000) g");
            // arithmetic on n: once n is text the view's definition no longer resolves (text + integer)
            s.execute("CREATE VIEW load.viewfail_next AS SELECT id, n + 1 AS next FROM load.viewfail");
        }
        String planId = MigrationPlanner.planIdFor(sendSpecChanged("viewfail", 7, List.of(typeChange("viewfail", "n", "integer", "text"))));
        assertEquals("SHADOW_TABLE", planned(planId).strategy());
        sendBackupCompleted(planId, "load.viewfail");
        MigrationProgress failed = progress(planId, "FAILED");
        assertTrue(failed.message().contains("phase CUTOVER") && failed.message().contains("CREATE VIEW")
                && failed.message().contains("42883") && failed.message().contains("serves unchanged"), failed.message());
        assertFalse(watcher.on(Topics.MIGRATION_PROGRESS).stream().map(s -> progressOf(s.value()))
                .anyMatch(p -> p.planId().equals(planId) && p.status().equals("COMPLETED")));
        given().get("/migrations/" + planId).then().statusCode(200).body("status", equalTo("FAILED"))
                .body("error", containsString("CREATE VIEW"));
        assertOriginalIntactAndServing("viewfail", "n", "integer", 2000);
        try (Connection c = target(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT next FROM load.viewfail_next WHERE id = 41");
            assertTrue(rs.next());
            assertEquals(42, rs.getInt(1), "the view still reads the original");
        }
        assertEquals("ABANDONED", shadowStore.find(planId, "viewfail").orElseThrow().phase());
        assertNoCaptureLeftovers();
    }

    @Test
    @Order(8)
    void aUniqueIndexTheNewTypeBreaksFailsOptimizationAndRemovesTheShadow() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE load.dupes (id bigint PRIMARY KEY, code text, note text)");
            s.execute("INSERT INTO load.dupes SELECT g, g::text, 'row ' || g FROM generate_series(1, 1500) g");
            // distinct as text, equal as integer: every cast succeeds, the unique index cannot be built
            s.execute("UPDATE load.dupes SET code = '0' || code WHERE id = 7");
            s.execute("UPDATE load.dupes SET code = '7' WHERE id = 8");
            s.execute("CREATE UNIQUE INDEX dupes_code ON load.dupes (code)");
        }
        String planId = MigrationPlanner.planIdFor(sendSpecChanged("dupes", 8, List.of(typeChange("dupes", "code", "text", "integer"))));
        planned(planId);
        TestTokens.as(Roles.OPERATOR).post("/migrations/" + planId + "/approve").then().statusCode(202);
        sendBackupCompleted(planId, "load.dupes");
        MigrationProgress failed = progress(planId, "FAILED");
        assertTrue(failed.message().contains("phase OPTIMIZATION") && failed.message().contains("CREATE UNIQUE INDEX CONCURRENTLY")
                && failed.message().contains("23505"), failed.message());
        given().get("/migrations/" + planId).then().statusCode(200).body("status", equalTo("FAILED"));
        assertOriginalIntactAndServing("dupes", "code", "text", 1500);
        try (Connection c = target(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_index WHERE NOT indisvalid");
            rs.next();
            assertEquals(0, rs.getInt(1), "no invalid index from the failed build is left");
        }
        assertNoCaptureLeftovers();
    }

    @Test
    @Order(9)
    void aForeignKeyPointingInFollowsTheCutoverAndIsValid() throws Exception {
        createTable("parent", 1_000, "integer");
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE load.child (id serial PRIMARY KEY, parent_id bigint NOT NULL REFERENCES load.parent (id) ON DELETE CASCADE)");
            s.execute("INSERT INTO load.child (parent_id) SELECT g FROM generate_series(1, 500) g");
        }
        runDirect("parent", 300);
        assertEquals("bigint", columnType("parent", "n"));
        try (Connection c = target(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT convalidated, confrelid = 'load.parent'::regclass FROM pg_constraint "
                    + "WHERE conrelid = 'load.child'::regclass AND contype = 'f'");
            assertTrue(rs.next());
            assertTrue(rs.getBoolean(1), "the foreign key is VALID again");
            assertTrue(rs.getBoolean(2), "it references the table now serving as load.parent");
            assertFalse(rs.next(), "exactly one foreign key");
            SQLException orphan = assertThrows(SQLException.class,
                    () -> s.execute("INSERT INTO load.child (parent_id) VALUES (987654321)"));
            assertEquals("23503", orphan.getSQLState());
            s.execute("DELETE FROM load.parent WHERE id = 3");
            rs = s.executeQuery("SELECT count(*) FROM load.child WHERE parent_id = 3");
            rs.next();
            assertEquals(0, rs.getInt(1), "ON DELETE CASCADE acts on the new table");
        }
        assertNoCaptureLeftovers();
    }

    @Test
    @Order(9)
    void aCrashRightAfterTheCutoverCommittedStillValidatesTheForeignKeysPointingIn() throws Exception {
        createTable("parent_crash", 1_000, "integer");
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE load.child_crash (id serial PRIMARY KEY, parent_id bigint NOT NULL REFERENCES load.parent_crash (id))");
            s.execute("INSERT INTO load.child_crash (parent_id) SELECT g FROM generate_series(1, 500) g");
        }
        StoredPlan plan = storedPlan("parent_crash", 310);
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        ShadowEngine crashing = new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle, reached -> {
            if (reached.equals("CUT_OVER")) {
                throw new SimulatedCrash(reached);
            }
        });
        assertThrows(SimulatedCrash.class, () -> crashing.run(new ShadowEngine.Progress(plan, 0, 4), rebuild));
        assertFalse(childForeignKeyValid(), "the swap re-added the foreign key NOT VALID and died before validating it");

        ShadowEngine restarted = new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle);
        assertEquals(ShadowEngine.Outcome.CUT_OVER, restarted.run(new ShadowEngine.Progress(plan, 0, 4), rebuild));
        assertTrue(childForeignKeyValid(), "the resumed run validated it");
        assertEquals("bigint", columnType("parent_crash", "n"));
        assertNoCaptureLeftovers();
    }

    private static boolean childForeignKeyValid() throws SQLException {
        try (Connection c = target(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT convalidated FROM pg_constraint "
                     + "WHERE conrelid = 'load.child_crash'::regclass AND contype = 'f'")) {
            assertTrue(rs.next(), "the foreign key exists");
            return rs.getBoolean(1);
        }
    }

    @Test
    @Order(10)
    void aPrimaryKeyWhoseOrderChangesIsCopiedInRangesBoundedByTheOriginalKey() throws Exception {
        // only integer widenings count as order-preserving key changes (a key becoming text sorts '10' before '9'):
        // for any other, such as bigint -> numeric here, the backfill cannot find its position in the shadow and
        // walks the original's key for each batch's bound instead; numeric still takes the writer's statements
        createTable("rekeyed", 5_000, "integer");
        StoredPlan plan = storedPlan("rekeyed", 303, typeChange("rekeyed", "id", "bigint", "numeric"));
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        try (Writer writer = new Writer("rekeyed", 5_000)) {
            ShadowEngine engine = new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle);
            assertEquals(ShadowEngine.Outcome.CUT_OVER, engine.run(new ShadowEngine.Progress(plan, 0, 4), rebuild));
            Thread.sleep(200);
            writer.close();
            assertEquals(0, writer.failures.get(), "client writes failed: " + writer.lastFailure);
        }
        assertEquals("numeric", columnType("rekeyed", "id"));
        try (Connection c = target(); Statement s = c.createStatement()) {
            for (String sql : List.of(
                    "SELECT count(*) FROM (SELECT id::bigint, n, note FROM load.rekeyed EXCEPT SELECT id, n, note FROM load.rekeyed_ref) d",
                    "SELECT count(*) FROM (SELECT id, n, note FROM load.rekeyed_ref EXCEPT SELECT id::bigint, n, note FROM load.rekeyed) d")) {
                ResultSet rs = s.executeQuery(sql);
                rs.next();
                assertEquals(0, rs.getLong(1), sql);
            }
        }
        assertNoCaptureLeftovers();
    }

    @Test
    @Order(10)
    void serialAndIdentitySequencesContinueAfterCutover() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE load.serials (id serial PRIMARY KEY, n integer, note text)");
            s.execute("CREATE TABLE load.idents (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n integer, note text)");
            for (String t : List.of("serials", "idents")) {
                s.execute("INSERT INTO load." + t + " (n, note) SELECT g, 'row ' || g FROM generate_series(1, 100) g");
            }
        }
        runDirect("serials", 301);
        runDirect("idents", 302);
        try (Connection c = target(); Statement s = c.createStatement()) {
            for (String t : List.of("serials", "idents")) {
                assertEquals("bigint", columnType(t, "n"), t);
                ResultSet rs = s.executeQuery("INSERT INTO load." + t + " (n, note) VALUES (1, 'after cutover') RETURNING id");
                rs.next();
                assertEquals(101, rs.getLong(1), t + ": the next value follows the last one used before cutover");
                rs = s.executeQuery("SELECT pg_get_serial_sequence('load." + t + "', 'id') IS NOT NULL");
                rs.next();
                assertTrue(rs.getBoolean(1), t + ": the sequence belongs to the new table");
                rs = s.executeQuery("SELECT pg_get_serial_sequence('load." + t + "', 'id')");
                rs.next();
                assertEquals("load." + t + "_id_seq", rs.getString(1), t + ": under the name it had");
            }
        }
        assertNoCaptureLeftovers();
    }

    @Test
    @Order(11)
    void grantsOnTheTableSurviveCutover() throws Exception {
        createTable("granted", 500, "integer");
        try (Connection c = target(); Statement s = c.createStatement()) {
            createReaderRole();
            s.execute("GRANT USAGE ON SCHEMA load TO ss_test_reader");
            s.execute("GRANT SELECT, INSERT ON load.granted TO ss_test_reader");
            s.execute("GRANT UPDATE (note) ON load.granted TO ss_test_reader");
        }
        runDirect("granted", 303);
        assertEquals("bigint", columnType("granted", "n"));
        try (Connection c = target(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT has_table_privilege('ss_test_reader', 'load.granted', 'SELECT'), "
                    + "has_table_privilege('ss_test_reader', 'load.granted', 'INSERT'), "
                    + "has_table_privilege('ss_test_reader', 'load.granted', 'DELETE'), "
                    + "has_column_privilege('ss_test_reader', 'load.granted', 'note', 'UPDATE')");
            rs.next();
            assertTrue(rs.getBoolean(1), "SELECT kept");
            assertTrue(rs.getBoolean(2), "INSERT kept");
            assertFalse(rs.getBoolean(3), "nothing more is granted than before");
            assertTrue(rs.getBoolean(4), "the column privilege UPDATE (note) kept");
        }
    }

    @Test
    @Order(12)
    void aPausedMigrationKeepsCapturingAndCompletesWhenResumed() throws Exception {
        createTable("paused", 5_000, "integer");
        withCriticalAlert(() -> {
            String planId = MigrationPlanner.planIdFor(sendSpecChanged("paused", 12, List.of(typeChange("paused", "n", "integer", "bigint"))));
            planned(planId);
            sendBackupCompleted(planId, "load.paused");
            awaitThrottled(planId);
            TestTokens.as(Roles.OPERATOR).post("/migrations/" + planId + "/pause").then().statusCode(202);
            await(() -> plans.find(planId).orElseThrow().state() == dev.shadowshift.migration.plan.PlanState.PAUSED);
            // while paused the capture trigger keeps logging every write, for the resumed run to copy (trigger capture)
            try (Connection c = target(); Statement s = c.createStatement()) {
                for (String t : List.of("paused", "paused_ref")) {
                    s.execute("INSERT INTO load." + t + " (id, n, note) VALUES (900000012, 12, 'while paused')");
                    s.execute("UPDATE load." + t + " SET note = 'updated while paused' WHERE id = 4990");
                    s.execute("DELETE FROM load." + t + " WHERE id = 4991");
                }
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'load.paused'::regclass AND tgname LIKE '%\\_ss\\_capture%'");
                rs.next();
                if (rs.getInt(1) == 0) {
                    // logical capture (this server runs wal_level=logical): a paused migration holds back no WAL, and
                    // the resume backfills again from a new slot, with these writes
                    rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'shadowshift\\_%' "
                            + "AND slot_name NOT LIKE 'shadowshift\\_rw\\_%'");
                    rs.next();
                    assertEquals(0, rs.getInt(1), "a paused migration holds no replication slot");
                }
            }
            assertEquals("integer", columnType("paused", "n"));
            return planId;
        }, planId -> {
            TestTokens.as(Roles.OPERATOR).post("/migrations/" + planId + "/resume").then().statusCode(202).body("status", equalTo("READY"));
            progress(planId, "COMPLETED");
            given().get("/migrations/" + planId).then().statusCode(200).body("status", equalTo("COMPLETED"));
        });
        assertEquals("bigint", columnType("paused", "n"));
        assertEqualToReference("paused");
        assertNoCaptureLeftovers();
    }

    @Test
    @Order(13)
    void cancelDuringBackfillRemovesTheShadowAndLeavesTheOriginalIntact() throws Exception {
        createTable("cancelled", 5_000, "integer");
        String[] id = new String[1];
        withCriticalAlert(() -> {
            String planId = MigrationPlanner.planIdFor(sendSpecChanged("cancelled", 13, List.of(typeChange("cancelled", "n", "integer", "bigint"))));
            id[0] = planId;
            planned(planId);
            sendBackupCompleted(planId, "load.cancelled");
            awaitThrottled(planId);
            TestTokens.as(Roles.OPERATOR).post("/migrations/" + planId + "/cancel").then().statusCode(202);
            MigrationProgress rolledBack = progress(planId, "ROLLED_BACK");
            assertTrue(rolledBack.message().contains("cancelled"), rolledBack.message());
            return planId;
        }, planId -> { });
        given().get("/migrations/" + id[0]).then().statusCode(200).body("status", equalTo("CANCELLED"));
        assertEquals("ABANDONED", shadowStore.find(id[0], "cancelled").orElseThrow().phase());
        assertEqualToReference("cancelled");
        assertOriginalIntactAndServing("cancelled", "n", "integer", 5_000);
        assertNoCaptureLeftovers();
    }

    @Test
    @Order(14)
    void theHoldAtKnobStopsTheRunAtItsCheckpointSaysSoAndAPauseEndsTheHold() throws Exception {
        createTable("hold_at", 2_000, "integer");
        StoredPlan plan = storedPlan("hold_at", 140);
        assertTrue(plans.transition(plan.planId(), dev.shadowshift.migration.plan.PlanTransition.START).isPresent());
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        ShadowEngine holding = new ShadowEngine(targets, shadowStore, plans, publisher,
                holdingAt(config, MigrationConfig.Shadow.HoldPoint.OPTIMIZED, Duration.ofSeconds(120)), throttle);
        long t0 = System.nanoTime();
        CompletableFuture<ShadowEngine.Outcome> run = CompletableFuture.supplyAsync(() -> {
            try {
                return holding.run(new ShadowEngine.Progress(plan, 0, 4), rebuild);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        MigrationProgress held = progressOf(watcher.await(Topics.MIGRATION_PROGRESS, s -> {
            MigrationProgress p = progressOf(s.value());
            return p.planId().equals(plan.planId()) && p.message() != null && p.message().contains("(hold-at)");
        }, WAIT).value());
        assertEquals("RUNNING", held.status());
        assertEquals("OPTIMIZATION", held.phase());
        assertTrue(held.message().startsWith("holding at OPTIMIZED for 120s (hold-at)"), held.message());
        assertEquals("OPTIMIZED", shadowStore.find(plan.planId(), "hold_at").orElseThrow().phase(), "it holds right after the checkpoint");
        assertFalse(run.isDone(), "still holding");

        assertTrue(plans.requestControl(plan.planId(), dev.shadowshift.migration.plan.PlanControl.PAUSE));
        assertEquals(ShadowEngine.Outcome.PAUSED, run.get(30, TimeUnit.SECONDS), "a pause ends the hold");
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 60, "long before the 120 s were up");
        assertEquals("integer", columnType("hold_at", "n"), "a pause at OPTIMIZED does not cut over");

        assertTrue(plans.transition(plan.planId(), dev.shadowshift.migration.plan.PlanTransition.START).isPresent(), "the pause request is cleared");
        ShadowEngine plain = new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle);
        assertEquals(ShadowEngine.Outcome.CUT_OVER, plain.run(new ShadowEngine.Progress(plan, 0, 4), rebuild));
        assertEquals("bigint", columnType("hold_at", "n"));
        assertEqualToReference("hold_at");
        assertNoCaptureLeftovers();
    }

    /** The worker's settings with the hold-at knob set, as the environment would set them in a separate process. */
    private static MigrationConfig holdingAt(MigrationConfig base, MigrationConfig.Shadow.HoldPoint at, Duration holdFor) {
        return withShadow(base, Map.of("holdAt", Optional.of(at), "holdFor", holdFor));
    }

    /** {@code base} with some of its shadow settings (by method name) replaced. */
    private static MigrationConfig withShadow(MigrationConfig base, Map<String, Object> settings) {
        MigrationConfig.Shadow shadow = (MigrationConfig.Shadow) Proxy.newProxyInstance(MigrationConfig.class.getClassLoader(),
                new Class<?>[]{MigrationConfig.Shadow.class}, (proxy, method, args) -> settings.containsKey(method.getName())
                        ? settings.get(method.getName()) : method.invoke(base.shadow(), args));
        return (MigrationConfig) Proxy.newProxyInstance(MigrationConfig.class.getClassLoader(), new Class<?>[]{MigrationConfig.class},
                (proxy, method, args) -> method.getName().equals("shadow") ? shadow : method.invoke(base, args));
    }

    /** An engine with other top-level settings (rollbackWindow, rollbackWindowCapture, maxSlotWal). */
    private static MigrationConfig with(MigrationConfig base, Map<String, Object> settings) {
        return (MigrationConfig) Proxy.newProxyInstance(MigrationConfig.class.getClassLoader(), new Class<?>[]{MigrationConfig.class},
                (proxy, method, args) -> settings.containsKey(method.getName()) ? settings.get(method.getName()) : method.invoke(base, args));
    }

    @Test
    @Order(13)
    void aRollbackWithinTheWindowRestoresEveryWriteMadeAfterCutoverThroughTheSlot() throws Exception {
        rollbackUnderLoad("rb_logical", 305, "auto");
    }

    @Test
    @Order(13)
    void aRollbackWithinTheWindowRestoresEveryWriteMadeAfterCutoverThroughTheKeyLogTrigger() throws Exception {
        rollbackUnderLoad("rb_trigger", 306, "trigger");
    }

    /**
     * A writer inserts, updates, deletes and moves keys across the cutover, through the window and during the rollback
     * itself; after the rollback the original serves with every one of those writes, nothing of the window is left, and
     * while the window was open clients' writes ran no trigger (slot) or only the key-only log trigger.
     */
    private void rollbackUnderLoad(String table, int version, String capture) throws Exception {
        createTable(table, 3_000, "integer");
        StoredPlan plan = storedPlan(table, version);
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        ShadowNames n = ShadowNames.of(plan.planId(), "load", table);
        ShadowEngine engine = new ShadowEngine(targets, shadowStore, plans, publisher, with(config, Map.of("rollbackWindowCapture", capture)), throttle);
        try (Writer writer = new Writer(table, 3_000)) {
            assertEquals(ShadowEngine.Outcome.CUT_OVER, engine.run(new ShadowEngine.Progress(plan, 0, 4), rebuild));
            long atCutover = writer.writes.get();
            await(() -> writer.writes.get() > atCutover + 300);
            assertEquals(capture.equals("auto") ? 1 : 0, count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + n.windowSlot() + "'"),
                    "the window's slot");
            assertEquals(capture.equals("auto") ? List.of() : List.of(n.windowTrigger(), n.windowTruncateTrigger()), triggersOn(table),
                    "what runs in the clients' writes during the window");
            // the scheduled check drains the slot meanwhile
            engine.cleanExpired();
            long beforeRollback = writer.writes.get();
            await(() -> writer.writes.get() > beforeRollback + 300);
            writer.close();
            assertEquals(0, writer.failures.get(), "client writes failed: " + writer.lastFailure);
        }
        assertEqualToReference(table);
        // and while the rollback runs: what clients write then is in the original afterwards too
        try (Writer writer = new Writer(table, 100_000)) {
            long before = writer.writes.get();
            await(() -> writer.writes.get() > before + 100);
            assertEquals(null, engine.swapBack(plan.plan().target(), plan.planId(), rebuild), "nothing lost");
            long afterRollback = writer.writes.get();
            await(() -> writer.writes.get() > afterRollback + 100);
            writer.close();
            assertEquals(0, writer.failures.get(), "client writes failed: " + writer.lastFailure);
        }
        assertEquals("integer", columnType(table, "n"), "the original serves again");
        assertEqualToReference(table);
        assertEquals("ROLLED_BACK", shadowStore.find(plan.planId(), table).orElseThrow().phase());
        assertNothingOfTheWindowLeft(n);
    }

    @Test
    @Order(14)
    void whenTheWindowClosesTheOriginalAndEveryCaptureObjectGoAndARollbackIsRefused() throws Exception {
        for (String capture : List.of("auto", "trigger")) {
            String table = "closing_" + (capture.equals("auto") ? "logical" : "trigger");
            createTable(table, 500, "integer");
            StoredPlan plan = storedPlan(table, capture.equals("auto") ? 307 : 308);
            ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
            ShadowNames n = ShadowNames.of(plan.planId(), "load", table);
            ShadowEngine engine = new ShadowEngine(targets, shadowStore, plans, publisher, with(config, Map.of("rollbackWindowCapture", capture)), throttle);
            assertEquals(ShadowEngine.Outcome.CUT_OVER, engine.run(new ShadowEngine.Progress(plan, 0, 4), rebuild));
            try (Connection c = target(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO load." + table + " (id, n, note) VALUES (900000005, 5, 'in the window')");
            }
            expire(plan.planId());
            engine.cleanExpired();
            assertEquals("CLEANED", shadowStore.find(plan.planId(), table).orElseThrow().phase(), capture);
            assertNothingOfTheWindowLeft(n);
            assertEquals("bigint", columnType(table, "n"), "the rebuilt table keeps serving");
            assertEquals(501, count("SELECT count(*) FROM load." + table));
            watcher.await(Topics.MIGRATION_PROGRESS, seen -> {
                MigrationProgress p = progressOf(seen.value());
                return p.planId().equals(plan.planId()) && p.status().equals("COMPLETED") && p.phase().equals("ROLLBACK_WINDOW_CLOSED");
            }, WAIT);
            RollbackWindowClosed refused = assertThrows(RollbackWindowClosed.class,
                    () -> engine.swapBack(plan.plan().target(), plan.planId(), rebuild));
            assertTrue(refused.getMessage().contains("closed at") && refused.getMessage().contains("restore the plan's backup backup-" + table),
                    refused.getMessage());
            assertEquals("bigint", columnType(table, "n"), "a refused rollback changes nothing");
        }
    }

    @Test
    @Order(15)
    void aWindowWhoseSlotHoldsBackMoreWalThanAllowedClosesEarlyAndSaysSo() throws Exception {
        createTable("wal_window", 500, "integer");
        StoredPlan plan = storedPlan("wal_window", 309);
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        ShadowNames n = ShadowNames.of(plan.planId(), "load", "wal_window");
        // the rebuild captures with its trigger: a 1-byte max-slot-wal would stop a logical rebuild before the window opens
        ShadowEngine engine = new ShadowEngine(targets, shadowStore, plans, publisher, with(withShadow(config, Map.of("capture", "trigger")),
                Map.of("maxSlotWal", "1", "rollbackWindowCapture", "auto")), throttle);
        assertEquals(ShadowEngine.Outcome.CUT_OVER, engine.run(new ShadowEngine.Progress(plan, 0, 4), rebuild));
        assertEquals(1, count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + n.windowSlot() + "'"), "a logical window");
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("UPDATE load.wal_window SET note = 'in the window' WHERE id <= 100");
        }
        engine.cleanExpired();
        dev.shadowshift.migration.shadow.ShadowCheckpoint cp = shadowStore.find(plan.planId(), "wal_window").orElseThrow();
        assertEquals("CLEANED", cp.phase());
        assertTrue(cp.error() != null && cp.error().contains("closed early") && cp.error().contains("max-slot-wal"), cp.error());
        assertNothingOfTheWindowLeft(n);
        MigrationProgress closed = progressOf(watcher.await(Topics.MIGRATION_PROGRESS, seen -> {
            MigrationProgress p = progressOf(seen.value());
            return p.planId().equals(plan.planId()) && p.phase().equals("ROLLBACK_WINDOW_CLOSED");
        }, WAIT).value());
        assertTrue(closed.message().contains("max-slot-wal"), closed.message());
        RollbackWindowClosed refused = assertThrows(RollbackWindowClosed.class,
                () -> engine.swapBack(plan.plan().target(), plan.planId(), rebuild));
        assertTrue(refused.getMessage().contains("max-slot-wal"), refused.getMessage());
    }

    private void expire(String planId) throws SQLException {
        try (Connection c = plans.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE shadow_migrations SET rollback_until = now() - interval '1 second' WHERE plan_id = ?")) {
            ps.setString(1, planId);
            assertEquals(1, ps.executeUpdate());
        }
    }

    private static List<String> triggersOn(String table) throws SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = target(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'load." + table + "'::regclass AND NOT tgisinternal ORDER BY tgname")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** No slot or replication origin of the window, nothing of the rebuild in the tool's schema or in the user's. */
    private static void assertNothingOfTheWindowLeft(ShadowNames n) throws SQLException {
        assertEquals(0, count("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'shadowshift\\_%" + n.shortId() + "'"), "slots of the plan");
        assertEquals(0, count("SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'shadowshift\\_%" + n.shortId() + "'"), "origins of the plan");
        assertEquals(0, count("SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'shadowshift'::regnamespace AND relname LIKE '%" + n.shortId() + "')"
                + " + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'shadowshift'::regnamespace AND proname LIKE '%" + n.shortId() + "')"),
                "objects of the rebuild in the tool's schema");
        assertEquals(0, count("SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'load'::regnamespace AND relname LIKE '%\\_ss\\_%" + n.shortId() + "')"
                + " + (SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_ss\\_%" + n.shortId() + "')"
                + " + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'load'::regnamespace)"), "objects of the tool in the user's schema");
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = target(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    @Order(99)
    void everyEventTheWorkerPublishedMatchesItsSchema() {
        for (TopicWatcher.Seen s : watcher.all()) {
            CloudEvent event = EventSchemas.parse(s.value(), s.topic().equals(Topics.MIGRATION_PLANNED)
                    ? EventType.MIGRATION_PLANNED : EventType.MIGRATION_PROGRESS);
            assertEquals(event.subject(), s.key());
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    interface WhileThrottled {
        String run() throws Exception;
    }

    interface AfterThrottle {
        void run(String planId) throws Exception;
    }

    /** Holds every backfill on target main in its throttle loop, as a CRITICAL alert from monitor-service does. */
    private void withCriticalAlert(WhileThrottled during, AfterThrottle after) throws Exception {
        Map<String, String> labels = Map.of("alertname", "connection_saturation", "severity", "critical", "target", "main");
        Map<String, String> annotations = Map.of("summary", "test holds backfill", "description", "test holds backfill");
        String fingerprint = Alert.fingerprintOf(labels);
        Alert firing = new Alert(Alert.FIRING, labels, annotations, "2026-01-01T00:00:00Z",
                java.time.Instant.now().plusSeconds(3600).toString(), "http://localhost:8084/", fingerprint);
        throttle.alert(EventCodec.write(EventCodec.create("/shadowshift/monitor-service", fingerprint, firing)));
        String planId;
        try {
            planId = during.run();
        } finally {
            Alert resolved = new Alert(Alert.RESOLVED, labels, annotations, firing.startsAt(), "2026-01-01T00:05:00Z",
                    firing.generatorURL(), fingerprint);
            throttle.alert(EventCodec.write(EventCodec.create("/shadowshift/monitor-service", fingerprint, resolved)));
        }
        after.run(planId);
    }

    private static void awaitThrottled(String planId) {
        watcher.await(Topics.MIGRATION_PROGRESS, s -> {
            MigrationProgress p = progressOf(s.value());
            return p.planId().equals(planId) && p.message().contains("backfill throttled");
        }, WAIT);
    }

    /** An engine that dies (as a killed worker would, leaving everything as it is) when it reaches {@code checkpoint}. */
    private ShadowEngine crashingAt(String checkpoint) {
        return new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle, reached -> {
            if (reached.equals(checkpoint)) {
                throw new SimulatedCrash(checkpoint);
            }
        });
    }

    /** Runs a rebuild of {@code n} integer -> bigint straight through the engine (backup already recorded). */
    private void runDirect(String table, int version) throws Exception {
        StoredPlan plan = storedPlan(table, version);
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        ShadowEngine engine = new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle);
        assertEquals(ShadowEngine.Outcome.CUT_OVER, engine.run(new ShadowEngine.Progress(plan, 0, 4), rebuild));
    }

    /** The column kept its type, no row was lost, and a write still works (no trigger left to fail it). */
    private static void assertOriginalIntactAndServing(String table, String column, String type, long rows) throws SQLException {
        assertEquals(type, columnType(table, column), "the original is untouched");
        try (Connection c = target(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) FROM load." + table);
            rs.next();
            assertEquals(rows, rs.getLong(1), "no row lost");
            rs = s.executeQuery("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE n.nspname = 'load' AND c.relname LIKE '" + table + "\\_ss\\_%'");
            rs.next();
            assertEquals(0, rs.getInt(1), "no shadow table or index of " + table + " is left");
            s.execute("UPDATE load." + table + " SET note = 'still serving' WHERE id = 1");
        }
    }

    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String at) {
            super("simulated crash at " + at);
        }
    }

    private StoredPlan storedPlan(String table, int version) throws Exception {
        return storedPlan(table, version, typeChange(table, "n", "integer", "bigint"));
    }

    private StoredPlan storedPlan(String table, int version, SchemaChange change) throws Exception {
        SpecChanged spec = new SpecChanged("load", version, null, "0".repeat(64), "main", "load", "BACKWARD", List.of(change));
        return WorkerUnderTest.directPlan(plans, "direct-" + table, spec, "backup-" + table);
    }

    private static SchemaChange typeChange(String table, String column, String from, String to) {
        return WorkerUnderTest.typeChange("load", table, column, from, to);
    }

    private static void assertEqualToReference(String table) throws SQLException {
        try (Connection c = target(); Statement s = c.createStatement()) {
            for (String sql : List.of(
                    "SELECT count(*) FROM (SELECT id, n::bigint, note FROM load." + table + " EXCEPT SELECT id, n::bigint, note FROM load." + table + "_ref) d",
                    "SELECT count(*) FROM (SELECT id, n::bigint, note FROM load." + table + "_ref EXCEPT SELECT id, n::bigint, note FROM load." + table + ") d")) {
                ResultSet rs = s.executeQuery(sql);
                rs.next();
                long differing = rs.getLong(1);
                if (differing > 0) {
                    List<String> sample = new java.util.ArrayList<>();
                    try (ResultSet d = c.createStatement().executeQuery(sql.replace("SELECT count(*) FROM (", "SELECT d::text FROM (") + " LIMIT 10")) {
                        while (d.next()) {
                            sample.add(d.getString(1));
                        }
                    }
                    List<String> both = new java.util.ArrayList<>();
                    try (ResultSet d = c.createStatement().executeQuery("SELECT 't', t::text FROM load." + table + " t WHERE abs(id) IN (SELECT abs(id) FROM ("
                            + sql.replace("SELECT count(*) FROM (", "") .replaceAll("\\) d$", "") + ") x) UNION ALL SELECT 'ref', r::text FROM load." + table
                            + "_ref r WHERE abs(id) IN (SELECT abs(id) FROM (" + sql.replace("SELECT count(*) FROM (", "").replaceAll("\\) d$", "") + ") y)")) {
                        while (d.next()) {
                            both.add(d.getString(1) + d.getString(2));
                        }
                    } catch (SQLException e) {
                        both.add(e.getMessage());
                    }
                    fail(table + " differs from its reference in " + differing + " row(s), e.g. " + sample + "; by key in both: " + both + ": " + sql);
                }
            }
        }
    }

    private static void assertNoCaptureLeftovers() throws SQLException {
        try (Connection c = target(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_ss\\_capture%'), "
                    + "(SELECT count(*) FROM pg_proc WHERE proname LIKE '%\\_ss\\_capture%' OR proname LIKE 'ss\\_castable%'), "
                    + "(SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_ss\\_new\\_%' OR relname LIKE '%\\_ss\\_log\\_%'"
                    + " OR relname LIKE '%\\_ss\\_pos\\_%')");
            rs.next();
            assertEquals(0, rs.getInt(1), "capture triggers left");
            assertEquals(0, rs.getInt(2), "capture functions left");
            assertEquals(0, rs.getInt(3), "shadow, change log or position tables left");
        }
    }

    static String columnType(String table, String column) throws SQLException {
        try (Connection c = target(); PreparedStatement ps = c.prepareStatement(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = 'load' AND table_name = ? AND column_name = ?")) {
            ps.setString(1, table);
            ps.setString(2, column);
            ResultSet rs = ps.executeQuery();
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static List<String> columns(String table) throws SQLException {
        try (Connection c = target(); PreparedStatement ps = c.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'load' AND table_name = ? ORDER BY ordinal_position")) {
            ps.setString(1, table);
            ResultSet rs = ps.executeQuery();
            List<String> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check check) throws Exception {
        long until = System.nanoTime() + WAIT.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > until) {
                fail("condition not met within " + WAIT);
            }
            Thread.sleep(100);
        }
    }

    private static String sendSpecChanged(String subject, int version, List<SchemaChange> changes) {
        CloudEvent event = EventCodec.create("/test/schema-service", subject,
                new SpecChanged(subject, version, null, "0".repeat(64), "main", "load", "BACKWARD", changes));
        TopicWatcher.send(bootstrap(), Topics.SPEC_CHANGED, "main/load", EventCodec.write(event));
        return event.id();
    }

    private static void sendBackupCompleted(String planId, String table) {
        CloudEvent event = EventCodec.create("/test/backup-worker", planId, new BackupCompleted(planId, "backup-of-" + planId,
                "main", List.of(table), "custom", "/backups/x.dump", 1234, "a".repeat(64), 7, true, "2099-01-01T00:00:00Z"));
        TopicWatcher.send(bootstrap(), Topics.BACKUP_COMPLETED, planId, EventCodec.write(event));
    }

    private static MigrationPlanned planned(String planId) {
        return WorkerUnderTest.planned(watcher, planId, WAIT);
    }

    private static MigrationProgress progress(String planId, String status) {
        return WorkerUnderTest.progress(watcher, planId, status, WAIT);
    }

    /** An application's role, which a DBA creates (migration-worker's role may not create roles). */
    private static void createReaderRole() throws SQLException {
        try (Connection c = dev.shadowshift.testkit.TargetFixtures.asSuperuser(); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ss_test_reader') THEN "
                    + "CREATE ROLE ss_test_reader; END IF; END $$");
        }
    }
}
