package dev.shadowshift.migration.it;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.TestTokens;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.messaging.EventPublisher;
import dev.shadowshift.migration.plan.MigrationPlanner;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.shadow.PreflightFailed;
import dev.shadowshift.migration.shadow.PreflightReport;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowFailure;
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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.shadowshift.migration.it.WorkerUnderTest.bootstrap;
import static dev.shadowshift.migration.it.WorkerUnderTest.target;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Materialized views over a table rebuilt through the shadow path, against the real broker and PostgreSQL: they are
 * never unpopulated for their readers, read the rebuilt table afterwards with their indexes, grants and the views over
 * them, go back on rollback, survive a crash between the cutover and their own swap, and leave nothing at retention.
 */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MaterializedViewShadowTest {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static TopicWatcher watcher;
    private static String snapPlan;

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
            createReaderRole();
            s.execute("GRANT USAGE ON SCHEMA load TO ss_test_reader");
        }
    }

    @AfterAll
    static void stop() {
        watcher.close();
    }

    /** A materialized view over {@code table} with two indexes, a grant and a comment, and a plain view over it. */
    private static void createSnapshot(String table) throws SQLException {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE MATERIALIZED VIEW load." + table + "_snap AS SELECT id, n, note FROM load." + table + " WHERE n >= 0");
            s.execute("CREATE UNIQUE INDEX " + table + "_snap_id ON load." + table + "_snap (id)");
            s.execute("CREATE INDEX " + table + "_snap_n ON load." + table + "_snap (n) WHERE n > 100");
            s.execute("GRANT SELECT ON load." + table + "_snap TO ss_test_reader");
            s.execute("COMMENT ON MATERIALIZED VIEW load." + table + "_snap IS 'the snapshot'");
            s.execute("CREATE VIEW load." + table + "_snap_big AS SELECT id, n FROM load." + table + "_snap WHERE n > 10");
            s.execute("GRANT SELECT ON load." + table + "_snap_big TO ss_test_reader");
        }
    }

    @Test
    @Order(1)
    void preflightListsMaterializedViewsApartFromPlainViewsAndRefusesAChainOfThem() throws Exception {
        ShadowMigrationTest.createTable("mvpre", 500, "integer");
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE VIEW load.mvpre_plain AS SELECT id, n FROM load.mvpre");
            s.execute("CREATE MATERIALIZED VIEW load.mvpre_snap AS SELECT id, n FROM load.mvpre");
        }
        StoredPlan plan = storedPlan("mvpre", 501, "bigint");
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        ShadowEngine engine = engine();
        PreflightReport report = engine.dryRun("main", plan.planId(), rebuild).preflight();
        assertEquals(List.of("load.mvpre_plain"), report.views());
        assertEquals(List.of("load.mvpre_snap"), report.materializedViews());
        assertEquals(List.of(), materializedViewProblems(report));

        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE MATERIALIZED VIEW load.mvpre_chain AS SELECT count(*) AS rows FROM load.mvpre_snap");
        }
        report = engine.dryRun("main", plan.planId(), rebuild).preflight();
        assertEquals(1, materializedViewProblems(report).size(), report.problems().toString());
        String problem = materializedViewProblems(report).get(0);
        assertTrue(problem.contains("\"load\".\"mvpre_chain\"") && problem.contains("\"load\".\"mvpre_snap\""), problem);
        PreflightFailed failed = assertThrows(PreflightFailed.class, () -> engine.run(new ShadowEngine.Progress(plan, 0, 1), rebuild));
        assertTrue(failed.getMessage().contains("mvpre_chain") && failed.getMessage().contains("nothing was changed"), failed.getMessage());
        assertEquals("integer", attributeType("mvpre", "n"));
        assertEquals(0, shadowObjects("mvpre"), "nothing was made");
    }

    @Test
    @Order(2)
    void aTypeChangeUnderWritesSwapsInAPopulatedMaterializedViewThatReadsTheRebuiltTable() throws Exception {
        ShadowMigrationTest.createTable("mvt", 20_000, "integer");
        createSnapshot("mvt");
        try (ShadowMigrationTest.Writer writer = new ShadowMigrationTest.Writer("mvt", 20_000);
             Reader reader = new Reader("mvt")) {
            String eventId = sendSpecChanged("mvt", 21, List.of(typeChange("mvt", "n", "integer", "bigint")));
            snapPlan = MigrationPlanner.planIdFor(eventId);
            assertEquals("SHADOW_TABLE", WorkerUnderTest.planned(watcher, snapPlan, WAIT).strategy());
            sendBackupCompleted(snapPlan, "load.mvt");
            MigrationProgress done = WorkerUnderTest.progress(watcher, snapPlan, "COMPLETED", WAIT);
            assertTrue(done.message().contains("applied"), done.message());
            Thread.sleep(300);
            writer.close();
            reader.close();
            assertEquals(0, writer.failures.get(), "client writes failed: " + writer.lastFailure);
            assertEquals(0, reader.failures.get(), "a read of the materialized view or the view over it failed: " + reader.lastFailure);
            assertTrue(reader.reads.get() > 20, "the reader kept reading: " + reader.reads.get());
        }
        ShadowNames n = ShadowNames.of(snapPlan, "load", "mvt");
        assertEquals("bigint", attributeType("mvt", "n"));
        assertEquals("bigint", attributeType("mvt_snap", "n"), "the materialized view was rebuilt on the new type");
        assertEquals("bigint", attributeType("mvt_snap_big", "n"), "the view over it follows");
        assertSnapshotIntact("mvt", "load.mvt");
        assertEquals(1, reads(n.oldMatview("mvt_snap"), n.qualified(n.rollback())), "the rollback copy reads the rollback table");
        assertFalse(exists(n.newMatview("mvt_snap")), "the new one took the name");
        try (Connection c = target(); Statement s = c.createStatement()) {
            // rows written after the cutover reach it on the next refresh: it reads the rebuilt table
            for (String t : List.of("mvt", "mvt_ref")) {
                s.execute("INSERT INTO load." + t + " (id, n, note) VALUES (900000001, 2000000000, 'after cutover')");
            }
            assertEquals(0, count(s, "SELECT count(*) FROM load.mvt_snap WHERE id = 900000001"));
            s.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY load.mvt_snap");
            assertEquals(2000000000L, count(s, "SELECT n FROM load.mvt_snap WHERE id = 900000001"));
            assertEquals(count(s, "SELECT count(*) FROM load.mvt WHERE n >= 0"), count(s, "SELECT count(*) FROM load.mvt_snap"));
            assertEquals(1, count(s, "SELECT count(*) FROM load.mvt_snap_big WHERE id = 900000001"));
        }
    }

    @Test
    @Order(3)
    void rollbackSwapsTheMaterializedViewBackWithTheRowsItsTableHasNow() throws Exception {
        TestTokens.as(Roles.OPERATOR).post("/migrations/" + snapPlan + "/rollback").then().statusCode(202);
        MigrationProgress rolledBack = WorkerUnderTest.progress(watcher, snapPlan, "ROLLED_BACK", WAIT);
        assertTrue(rolledBack.message().contains("every write made since cutover was carried back"), rolledBack.message());
        assertEquals("integer", attributeType("mvt", "n"));
        assertEquals("integer", attributeType("mvt_snap", "n"), "the original materialized view is back");
        assertEquals("integer", attributeType("mvt_snap_big", "n"));
        assertSnapshotIntact("mvt", "load.mvt");
        try (Connection c = target(); Statement s = c.createStatement()) {
            assertEquals(2000000000L, count(s, "SELECT n FROM load.mvt_snap WHERE id = 900000001"),
                    "refreshed before it came back: it has the row written after the cutover");
            assertEquals(count(s, "SELECT count(*) FROM load.mvt WHERE n >= 0"), count(s, "SELECT count(*) FROM load.mvt_snap"));
        }
        assertEquals(0, shadowObjects("mvt"), "no rebuilt, rollback or lost table is left");
        assertEquals(0, shadowObjects("mvt_snap"), "no rebuilt materialized view, rollback copy or index of one is left");
    }

    @Test
    @Order(4)
    void aCrashBetweenTheCutoverAndTheMaterializedViewSwapFinishesTheSwapOnResumeAndRetentionLeavesNothing() throws Exception {
        List<String> plansToExpire = new ArrayList<>();
        // crashed right after recording the cutover; and crashed after the cutover committed but before its checkpoint
        for (String table : List.of("mvc", "mvd")) {
            ShadowMigrationTest.createTable(table, 3_000, "integer");
            createSnapshot(table);
            StoredPlan plan = storedPlan(table, table.equals("mvc") ? 502 : 503, "bigint");
            plansToExpire.add(plan.planId());
            ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
            ShadowNames n = ShadowNames.of(plan.planId(), "load", table);
            ShadowEngine crashing = new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle, reached -> {
                if (reached.equals("CUT_OVER")) {
                    throw new ShadowMigrationTest.SimulatedCrash(reached);
                }
            });
            try (ShadowMigrationTest.Writer writer = new ShadowMigrationTest.Writer(table, 3_000);
                 Reader reader = new Reader(table)) {
                assertThrows(ShadowMigrationTest.SimulatedCrash.class, () -> crashing.run(new ShadowEngine.Progress(plan, 0, 1), rebuild));
                String fresh = n.newMatview(table + "_snap");
                try (Connection c = target(); Statement s = c.createStatement()) {
                    assertEquals(0, count(s, "SELECT count(*) FROM pg_class WHERE oid = 'load." + fresh + "'::regclass AND relispopulated"),
                            "the cutover made the new one empty");
                    assertEquals(1, reads(table + "_snap", n.qualified(n.rollback())), "the served one still reads the rollback table");
                    assertTrue(count(s, "SELECT count(*) FROM load." + table + "_snap") > 0, "and still serves its rows");
                    if (table.equals("mvd")) {
                        // as if the run had died after the refresh, and before the cutover's checkpoint was written
                        s.execute("REFRESH MATERIALIZED VIEW load." + fresh);
                    }
                }
                if (table.equals("mvd")) {
                    try (Connection c = plans.connection(); PreparedStatement ps = c.prepareStatement(
                            "UPDATE shadow_migrations SET phase = 'VALIDATED', cut_over_at = NULL, rollback_until = NULL "
                                    + "WHERE plan_id = ? AND table_name = ?")) {
                        ps.setString(1, plan.planId());
                        ps.setString(2, table);
                        assertEquals(1, ps.executeUpdate());
                    }
                }
                Thread.sleep(200);
                assertEquals(ShadowEngine.Outcome.CUT_OVER, engine().run(new ShadowEngine.Progress(plan, 0, 1), rebuild), table);
                assertEquals(ShadowEngine.Outcome.CUT_OVER, engine().run(new ShadowEngine.Progress(plan, 0, 1), rebuild), "again: " + table);
                Thread.sleep(200);
                writer.close();
                reader.close();
                assertEquals(0, writer.failures.get(), table + ": " + writer.lastFailure);
                assertEquals(0, reader.failures.get(), table + ": " + reader.lastFailure);
            }
            assertEquals("CUT_OVER", shadowStore.find(plan.planId(), table).orElseThrow().phase());
            assertEquals("bigint", attributeType(table + "_snap", "n"), table);
            assertSnapshotIntact(table, "load." + table);
            assertFalse(exists(n.newMatview(table + "_snap")), table);
        }

        try (Connection c = plans.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE shadow_migrations SET rollback_until = now() - interval '1 second' WHERE plan_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", plansToExpire.toArray()));
            assertEquals(2, ps.executeUpdate());
        }
        // the worker's own scheduled cleanup may hold a table's advisory lock at that moment: then it drops that one
        long until = System.nanoTime() + WAIT.toNanos();
        do {
            engine().cleanExpired();
            Thread.sleep(200);
        } while (System.nanoTime() < until && !(shadowStore.find(plansToExpire.get(0), "mvc").orElseThrow().phase().equals("CLEANED")
                && shadowStore.find(plansToExpire.get(1), "mvd").orElseThrow().phase().equals("CLEANED")));
        for (String planId : plansToExpire) {
            // the signal that lets backup-worker stop pinning the plan's backup
            watcher.await(Topics.MIGRATION_PROGRESS, s -> {
                MigrationProgress p = WorkerUnderTest.progressOf(s.value());
                return p.planId().equals(planId) && p.status().equals("COMPLETED") && p.phase().equals("ROLLBACK_WINDOW_CLOSED");
            }, WAIT);
        }
        for (int i = 0; i < plansToExpire.size(); i++) {
            String table = i == 0 ? "mvc" : "mvd";
            assertEquals("CLEANED", shadowStore.find(plansToExpire.get(i), table).orElseThrow().phase(), table);
            assertEquals(0, shadowObjects(table), table + ": no rollback table is left");
            assertEquals(0, shadowObjects(table + "_snap"), table + ": no rollback copy or index of one is left");
            assertSnapshotIntact(table, "load." + table);
            try (Connection c = target(); Statement s = c.createStatement()) {
                s.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY load." + table + "_snap");
                assertEquals(count(s, "SELECT count(*) FROM load." + table + " WHERE n >= 0"), count(s, "SELECT count(*) FROM load." + table + "_snap"));
            }
        }
        try (Connection c = target(); Statement s = c.createStatement()) {
            assertEquals(0, count(s, "SELECT count(*) FROM pg_class WHERE relkind = 'm' AND relname LIKE '%\\_ss\\_%'"),
                    "no materialized view of Shadowshift's is left anywhere");
        }
    }

    @Test
    @Order(5)
    void aMaterializedViewTheNewTypeBreaksFailsTheCutoverAndLeavesEverythingAsItWas() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE load.mvfail (id bigint PRIMARY KEY, n integer, note text)");
            s.execute("INSERT INTO load.mvfail SELECT g, g, 'row ' || g FROM generate_series(1, 1000) g");
            // arithmetic on n: once n is text the definition no longer resolves (text + integer)
            s.execute("CREATE MATERIALIZED VIEW load.mvfail_next AS SELECT id, n + 1 AS next FROM load.mvfail");
        }
        StoredPlan plan = storedPlan("mvfail", 504, "text");
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        ShadowFailure failed = assertThrows(ShadowFailure.class, () -> engine().run(new ShadowEngine.Progress(plan, 0, 1), rebuild));
        assertTrue(failed.getMessage().contains("phase CUTOVER") && failed.getMessage().contains("CREATE MATERIALIZED VIEW")
                && failed.getMessage().contains("42883") && failed.getMessage().contains("serves unchanged"), failed.getMessage());
        assertEquals("ABANDONED", shadowStore.find(plan.planId(), "mvfail").orElseThrow().phase());
        assertEquals("integer", attributeType("mvfail", "n"));
        assertEquals(0, shadowObjects("mvfail"));
        assertEquals(0, shadowObjects("mvfail_next"));
        try (Connection c = target(); Statement s = c.createStatement()) {
            assertEquals(42, count(s, "SELECT next FROM load.mvfail_next WHERE id = 41"), "it still serves, reading the original");
            s.execute("REFRESH MATERIALIZED VIEW load.mvfail_next");
            assertEquals(1, reads("mvfail_next", "load.mvfail"));
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** The report's problems about materialized views (a long transaction elsewhere in the database is not this test's). */
    private static List<String> materializedViewProblems(PreflightReport report) {
        return report.problems().stream().filter(p -> p.contains("materialized view")).toList();
    }

    /** Reads the materialized view and the view over it throughout; a read of an unpopulated one would fail. */
    static final class Reader implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong reads = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final Thread thread;
        volatile Throwable lastFailure;

        Reader(String table) {
            thread = new Thread(() -> {
                try (Connection c = target(); Statement s = c.createStatement()) {
                    while (running.get()) {
                        try {
                            count(s, "SELECT count(*) FROM load." + table + "_snap WHERE id BETWEEN 1 AND 50");
                            count(s, "SELECT count(*) FROM load." + table + "_snap_big WHERE id = 42");
                            reads.incrementAndGet();
                        } catch (SQLException e) {
                            failures.incrementAndGet();
                            lastFailure = e;
                        }
                        Thread.sleep(10);
                    }
                } catch (SQLException | InterruptedException e) {
                    lastFailure = e;
                    failures.incrementAndGet();
                }
            }, "reader-" + table);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    /** Populated, reads {@code table}, with its two indexes under their names, its grant, comment and the view over it. */
    private static void assertSnapshotIntact(String table, String readsTable) throws SQLException {
        String snap = table + "_snap";
        try (Connection c = target(); Statement s = c.createStatement()) {
            assertEquals(1, count(s, "SELECT count(*) FROM pg_class WHERE oid = 'load." + snap + "'::regclass AND relkind = 'm' AND relispopulated"),
                    snap + " is a populated materialized view");
            assertEquals(1, reads(snap, readsTable), snap + " reads " + readsTable);
            ResultSet rs = s.executeQuery("SELECT string_agg(i.relname || ':' || x.indisunique, ',' ORDER BY i.relname) FROM pg_index x "
                    + "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = 'load." + snap + "'::regclass");
            rs.next();
            assertEquals(snap + "_id:true," + snap + "_n:false", rs.getString(1), "its indexes, under their names");
            rs = s.executeQuery("SELECT pg_get_indexdef('load." + snap + "_n'::regclass)");
            rs.next();
            assertTrue(rs.getString(1).endsWith("WHERE (n > 100)"), rs.getString(1));
            rs = s.executeQuery("SELECT has_table_privilege('ss_test_reader', 'load." + snap + "', 'SELECT'), "
                    + "has_table_privilege('ss_test_reader', 'load." + snap + "', 'INSERT'), "
                    + "has_table_privilege('ss_test_reader', 'load." + snap + "_big', 'SELECT'), "
                    + "obj_description('load." + snap + "'::regclass, 'pg_class'), "
                    + "(SELECT relowner FROM pg_class WHERE oid = 'load." + snap + "'::regclass) = "
                    + "(SELECT relowner FROM pg_class WHERE oid = '" + readsTable + "'::regclass)");
            rs.next();
            assertTrue(rs.getBoolean(1), "SELECT on " + snap + " kept");
            assertFalse(rs.getBoolean(2), "nothing more granted");
            assertTrue(rs.getBoolean(3), "SELECT on the view over it kept");
            assertEquals("the snapshot", rs.getString(4));
            assertTrue(rs.getBoolean(5), "same owner");
            assertEquals(1, reads(snap + "_big", "load." + snap), "the view over it reads it");
            assertEquals(count(s, "SELECT count(*) FROM load." + snap + " WHERE n > 10"), count(s, "SELECT count(*) FROM load." + snap + "_big"));
        }
    }

    /** 1 when {@code relation} (in load) selects from {@code from} directly, else 0. */
    private static long reads(String relation, String from) throws SQLException {
        try (Connection c = target(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(DISTINCT r.ev_class) FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
                        + "WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class = to_regclass(?) AND d.refobjid = to_regclass(?)")) {
            ps.setString(1, "load." + relation);
            ps.setString(2, from);
            ResultSet rs = ps.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean exists(String relation) throws SQLException {
        try (Connection c = target(); PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, "load.\"" + relation + "\"");
            ResultSet rs = ps.executeQuery();
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Relations of a migration named after {@code base} (tables, materialized views, indexes): {@code base_ss_...}. */
    private static long shadowObjects(String base) throws SQLException {
        try (Connection c = target(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'load' AND c.relname LIKE ? || '\\_%ss\\_%'")) {
            ps.setString(1, base.replace("_", "\\_"));
            ResultSet rs = ps.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The type of a column of a table, view or materialized view (information_schema leaves the latter out). */
    private static String attributeType(String relation, String column) throws SQLException {
        try (Connection c = target(); PreparedStatement ps = c.prepareStatement(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = ?")) {
            ps.setString(1, "load." + relation);
            ps.setString(2, column);
            ResultSet rs = ps.executeQuery();
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private ShadowEngine engine() {
        return new ShadowEngine(targets, shadowStore, plans, publisher, config, throttle);
    }

    /** A plan of one change of {@code n} from integer to {@code toType}, backed up, to run straight through the engine. */
    private StoredPlan storedPlan(String table, int version, String toType) throws Exception {
        SpecChanged spec = new SpecChanged("load", version, null, "0".repeat(64), "main", "load", "BACKWARD",
                List.of(typeChange(table, "n", "integer", toType)));
        return WorkerUnderTest.directPlan(plans, "direct-mv-" + table, spec, "backup-" + table);
    }

    private static SchemaChange typeChange(String table, String column, String from, String to) {
        return WorkerUnderTest.typeChange("load", table, column, from, to);
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

    /** An application's role, which a DBA creates (migration-worker's role may not create roles). */
    private static void createReaderRole() throws SQLException {
        try (Connection c = dev.shadowshift.testkit.TargetFixtures.asSuperuser(); Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ss_test_reader') THEN "
                    + "CREATE ROLE ss_test_reader; END IF; END $$");
        }
    }
}
