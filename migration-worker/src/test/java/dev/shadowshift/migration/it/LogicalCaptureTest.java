package dev.shadowshift.migration.it;

import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.messaging.EventPublisher;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.migration.plan.PlanControl;
import dev.shadowshift.migration.plan.PlanTransition;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.support.Announcements;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowFailure;
import dev.shadowshift.migration.shadow.ShadowHooks;
import dev.shadowshift.migration.shadow.ShadowStore;
import dev.shadowshift.migration.shadow.SlotWalExceeded;
import dev.shadowshift.migration.shadow.Throttle;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.pg.TargetsConfig;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.shadowshift.migration.it.WorkerUnderTest.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Logical-decoding capture against a real PostgreSQL with wal_level=logical (the testkit's server), under a writer:
 * an abort past max-slot-wal drops the slot and leaves the original serving; and the trigger fallback on a
 * wal_level=replica server.
 */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class LogicalCaptureTest {

    @Inject TargetDatabases targets;
    @Inject ShadowStore shadowStore;
    @Inject PlanStore plans;
    @Inject EventPublisher publisher;
    @Inject MigrationConfig config;
    @Inject Throttle throttle;

    @BeforeAll
    static void schema() throws Exception {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS load");
        }
    }

    @Test
    void aSlotHoldingBackMoreWalThanAllowedAbortsTheMigrationAndIsDropped() throws Exception {
        ShadowMigrationTest.createTable("lc_wal", 5_000, "integer");
        StoredPlan plan = storedPlan("lc_wal", 402);
        ShadowEngine engine = engine(targets, "1", ShadowHooks.NONE);
        try (ShadowMigrationTest.Writer writer = new ShadowMigrationTest.Writer("lc_wal", 5_000)) {
            ShadowFailure failure = assertThrows(ShadowFailure.class, () -> run(engine, plan));
            assertTrue(failure instanceof SlotWalExceeded && failure.getMessage().contains("max-slot-wal"), failure.getMessage());
            writer.close();
            assertEquals(0, writer.failures.get(), "client writes failed: " + writer.lastFailure);
        }
        assertEquals("integer", ShadowMigrationTest.columnType("lc_wal", "n"), "the original is untouched");
        assertEqualToReference("lc_wal");
        assertNothingLeft();
    }

    @Test
    void aCancelledMigrationDropsItsSlot() throws Exception {
        ShadowMigrationTest.createTable("lc_cancel", 5_000, "integer");
        StoredPlan plan = storedPlan("lc_cancel", 405);
        assertTrue(plans.transition(plan.planId(), PlanTransition.START).isPresent());
        List<Long> slotsInBackfill = new ArrayList<>();
        ShadowEngine engine = engine(targets, "1GB", reached -> {
            if (reached.equals("BACKFILL_BATCH") && slotsInBackfill.isEmpty()) {
                slotsInBackfill.add(slots());
                try {
                    assertTrue(plans.requestControl(plan.planId(), PlanControl.CANCEL));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        try (ShadowMigrationTest.Writer writer = new ShadowMigrationTest.Writer("lc_cancel", 5_000)) {
            assertEquals(ShadowEngine.Outcome.CANCELLED, run(engine, plan));
            writer.close();
            assertEquals(0, writer.failures.get(), "client writes failed: " + writer.lastFailure);
        }
        assertEquals(List.of(1L), slotsInBackfill, "the backfill ran with its slot");
        assertEquals("integer", ShadowMigrationTest.columnType("lc_cancel", "n"), "the original is untouched");
        assertEqualToReference("lc_cancel");
        assertNothingLeft();
    }

    /** A run that died in the backfill left its slot; abandoning the rebuild (FAILED or CANCELLED plan) drops it. */
    @Test
    void abandoningARebuildWhoseRunDiedDropsTheSlotItLeft() throws Exception {
        ShadowMigrationTest.createTable("lc_abandon", 5_000, "integer");
        StoredPlan plan = storedPlan("lc_abandon", 406);
        ShadowEngine dying = engine(targets, "1GB", reached -> {
            if (reached.equals("BACKFILL_BATCH")) {
                throw new IllegalStateException("the worker dies in the backfill");
            }
        });
        assertThrows(IllegalStateException.class, () -> run(dying, plan));
        assertEquals(1, slots(), "the dead run left its slot");
        engine(targets, "1GB", ShadowHooks.NONE).abandon("main", plan.planId(), plans.rebuilds(plan.planId()).get(0));
        assertEquals("integer", ShadowMigrationTest.columnType("lc_abandon", "n"), "the original is untouched");
        assertNothingLeft();
    }

    /**
     * The worker in a process of its own, killed with SIGKILL while it backfills in the slot's snapshot: the slot
     * outlives it. The resumed run drops it, starts the backfill over from a new slot and cuts over with every write
     * of the writer, which kept writing throughout; no slot is left.
     */
    @Test
    void aWorkerKilledMidBackfillLeavesASlotThatTheResumeDropsAndNoWriteIsLost() throws Exception {
        ShadowMigrationTest.createTable("lc_killed", 20_000, "integer");
        // not runnable: this JVM's own runner must not take the plan while the worker process starts
        SpecChanged spec = new SpecChanged("load", 407, null, "0".repeat(64), "main", "load", "BACKWARD",
                List.of(WorkerUnderTest.typeChange("load", "lc_killed", "n", "integer", "bigint")));
        StoredPlan plan = WorkerUnderTest.directPlan(plans, "logical-lc_killed", spec, "backup-lc_killed", false);
        var cfg = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "-Xmx256m",
                "-Dshadowshift.migration.shadow.capture=auto", "-Dshadowshift.migration.shadow.hold-at=BACKFILL_BATCH",
                "-Dshadowshift.migration.shadow.hold-for=300s", "-Dshadowshift.migration.shadow.batch-size-initial=500",
                WorkerProcess.class.getName(), plan.planId());
        pb.environment().put("SHADOWSHIFT_STATE_DB_URL", cfg.getValue("quarkus.datasource.jdbc.url", String.class));
        pb.environment().put("SHADOWSHIFT_TARGET_URL", cfg.getValue("shadowshift.targets.main.jdbc-url", String.class));
        pb.environment().put("SHADOWSHIFT_DB_USER", cfg.getValue("shadowshift.targets.main.username", String.class));
        pb.environment().put("SHADOWSHIFT_DB_PASSWORD", cfg.getOptionalValue("shadowshift.targets.main.password", String.class).orElse(""));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        List<String> said = new ArrayList<>();
        try (ShadowMigrationTest.Writer writer = new ShadowMigrationTest.Writer("lc_killed", 20_000)) {
            Process worker = pb.start();
            try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(worker.getInputStream()))) {
                for (String line = out.readLine(); ; line = out.readLine()) {
                    assertTrue(line != null, "the worker process ended before its backfill: " + said);
                    said.add(line);
                    if (line.contains("holding at BACKFILL_BATCH")) {
                        break;
                    }
                }
                assertTrue(said.stream().anyMatch(l -> l.contains("capture: logical decoding")), "the worker captures through the slot: " + said);
                assertEquals(1, slots(), "the backfill runs with its slot");
                worker.destroyForcibly();
                worker.waitFor();
            }
            assertEquals(137, worker.exitValue(), "killed with SIGKILL");
            assertEquals(1, slots(), "the slot outlives the killed worker");
            assertEquals("integer", ShadowMigrationTest.columnType("lc_killed", "n"));
            assertEquals(ShadowEngine.Outcome.CUT_OVER, run(engine(targets, "1GB", ShadowHooks.NONE), plan));
            Thread.sleep(300);
            writer.close();
            assertEquals(0, writer.failures.get(), "client writes failed: " + writer.lastFailure);
        }
        assertEquals("bigint", ShadowMigrationTest.columnType("lc_killed", "n"));
        assertEqualToReference("lc_killed");
        assertEquals(0, slots(), "no replication slot is left");
        assertEquals(0, count("SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'shadowshift\\_%' AND roname NOT LIKE 'shadowshift\\_rw\\_%'"), "no replication origin is left");
    }

    /** The local PostgreSQL 15 on 127.0.0.1:5432 runs wal_level=replica: there the rebuild captures with its trigger. */
    @Test
    void onAServerWithoutLogicalDecodingTheRebuildFallsBackToTheCaptureTrigger() throws Exception {
        String admin = "jdbc:postgresql://127.0.0.1:5432/postgres";
        String db = "ss_fallback_" + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SHOW wal_level");
            rs.next();
            assumeTrue(!rs.getString(1).equals("logical"), "the local server runs wal_level=logical");
            s.execute("CREATE DATABASE " + db);
        } catch (SQLException e) {
            assumeTrue(false, "no PostgreSQL on 127.0.0.1:5432: " + e.getMessage());
        }
        String url = "jdbc:postgresql://127.0.0.1:5432/" + db;
        try {
            TargetDatabases replica = new TargetDatabases(targetsAt(url));
            String ddl = "CREATE SCHEMA IF NOT EXISTS load; CREATE TABLE load.lc_replica (id bigint PRIMARY KEY, n integer, note text); "
                    + "INSERT INTO load.lc_replica SELECT g, g, 'row ' || g FROM generate_series(1, 2000) g";
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                s.execute(ddl);
            }
            // the planner reads the table's shape from the worker's own target
            try (Connection c = target(); Statement s = c.createStatement()) {
                s.execute(ddl);
            }
            StoredPlan plan = storedPlan("lc_replica", 404);
            List<Long> triggers = new ArrayList<>();
            List<MigrationProgress> said = new java.util.concurrent.CopyOnWriteArrayList<>();
            ShadowEngine engine = engine(replica, "1GB", said, reached -> {
                if (reached.equals("BACKFILLING")) {
                    try (Connection c = DriverManager.getConnection(url, "postgres", "");
                         Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'load.lc_replica'::regclass AND NOT tgisinternal")) {
                        rs.next();
                        triggers.add(rs.getLong(1));
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            assertEquals(ShadowEngine.Outcome.CUT_OVER, run(engine, plan));
            assertEquals(List.of(2L), triggers, "the row and TRUNCATE capture triggers captured the writes");
            assertTrue(said.stream().anyMatch(p -> p.message().startsWith("capture: trigger (wal_level is replica")),
                    "the progress says which capture the rebuild uses and why: " + said.stream().map(MigrationProgress::message).toList());
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                ResultSet rs = s.executeQuery("SELECT data_type FROM information_schema.columns WHERE table_schema = 'load' "
                        + "AND table_name = 'lc_replica' AND column_name = 'n'");
                rs.next();
                assertEquals("bigint", rs.getString(1));
                rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots");
                rs.next();
                assertEquals(0, rs.getLong(1), "no slot: the rollback window falls back to its key-only log trigger too");
                rs = s.executeQuery("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'load.lc_replica'::regclass AND tgname LIKE '%\\_ss\\_window%'");
                rs.next();
                assertEquals(2, rs.getLong(1), "the window's row and TRUNCATE log triggers");
                // writes in the window, then a rollback: all of them are in the original afterwards
                s.execute("INSERT INTO load.lc_replica (id, n, note) VALUES (900000006, 6, 'in the window')");
                s.execute("UPDATE load.lc_replica SET note = 'updated in the window' WHERE id = 7");
                s.execute("DELETE FROM load.lc_replica WHERE id = 8");
            }
            assertEquals(null, engine.swapBack("main", plan.planId(), plans.rebuilds(plan.planId()).get(0)));
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                ResultSet rs = s.executeQuery("SELECT (SELECT data_type FROM information_schema.columns WHERE table_schema = 'load' "
                        + "AND table_name = 'lc_replica' AND column_name = 'n'), (SELECT note FROM load.lc_replica WHERE id = 900000006), "
                        + "(SELECT note FROM load.lc_replica WHERE id = 7), (SELECT count(*) FROM load.lc_replica WHERE id = 8), "
                        + "(SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_ss\\_%'), "
                        + "(SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_ss\\_%')");
                rs.next();
                assertEquals("integer", rs.getString(1), "rolled back");
                assertEquals("in the window", rs.getString(2));
                assertEquals("updated in the window", rs.getString(3));
                assertEquals(0, rs.getLong(4));
                assertEquals(0, rs.getLong(5), "triggers of the window left");
                assertEquals(0, rs.getLong(6), "tables of the rebuild left");
            }
        } finally {
            try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    private ShadowEngine engine(TargetDatabases on, String maxSlotWal, ShadowHooks hooks) {
        return engine(on, maxSlotWal, new ArrayList<>(), hooks);
    }

    private ShadowEngine engine(TargetDatabases on, String maxSlotWal, List<MigrationProgress> said, ShadowHooks hooks) {
        MigrationConfig.Shadow shadow = (MigrationConfig.Shadow) Proxy.newProxyInstance(MigrationConfig.class.getClassLoader(),
                new Class<?>[]{MigrationConfig.Shadow.class}, (proxy, method, args) -> method.getName().equals("capture")
                        ? "auto" : method.invoke(config.shadow(), args));
        MigrationConfig auto = (MigrationConfig) Proxy.newProxyInstance(MigrationConfig.class.getClassLoader(), new Class<?>[]{MigrationConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "shadow" -> shadow;
                    case "maxSlotWal" -> maxSlotWal;
                    case "rollbackWindowCapture" -> "auto";
                    default -> method.invoke(config, args);
                });
        Announcements recording = new Announcements() {
            @Override
            public void planned(MigrationPlanned plan) {
                publisher.planned(plan);
            }

            @Override
            public void progress(MigrationProgress progress) {
                said.add(progress);
                publisher.progress(progress);
            }
        };
        return new ShadowEngine(on, shadowStore, plans, recording, auto, throttle, hooks);
    }

    private static TargetsConfig targetsAt(String url) {
        TargetsConfig.Target t = (TargetsConfig.Target) Proxy.newProxyInstance(TargetsConfig.class.getClassLoader(),
                new Class<?>[]{TargetsConfig.Target.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "jdbcUrl" -> url;
                    case "username" -> Optional.of("postgres");
                    default -> Optional.empty();
                });
        return (TargetsConfig) Proxy.newProxyInstance(TargetsConfig.class.getClassLoader(), new Class<?>[]{TargetsConfig.class},
                (proxy, method, args) -> Map.of("main", t));
    }

    private ShadowEngine.Outcome run(ShadowEngine engine, StoredPlan plan) throws Exception {
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        return engine.run(new ShadowEngine.Progress(plan, 0, 4), rebuild);
    }

    private StoredPlan storedPlan(String table, int version) throws Exception {
        SchemaChange change = WorkerUnderTest.typeChange("load", table, "n", "integer", "bigint");
        SpecChanged spec = new SpecChanged("load", version, null, "0".repeat(64), "main", "load", "BACKWARD", List.of(change));
        return WorkerUnderTest.directPlan(plans, "logical-" + table, spec, "backup-" + table);
    }

    private static long slots() {
        return count("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'shadowshift\\_%' AND slot_name NOT LIKE 'shadowshift\\_rw\\_%'");
    }

    private static long count(String sql) {
        try (Connection c = target(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** No slot, no replication origin, no capture trigger, function, log or shadow left. */
    private static void assertNothingLeft() {
        assertEquals(0, slots(), "replication slots left");
        assertEquals(0, count("SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'shadowshift\\_%' AND roname NOT LIKE 'shadowshift\\_rw\\_%'"), "replication origins left");
        assertEquals(0, count("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_ss\\_capture%'"), "capture triggers left");
        assertEquals(0, count("SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_ss\\_new\\_%' OR relname LIKE '%\\_ss\\_log\\_%'"
                + " OR relname LIKE '%\\_ss\\_pos\\_%'"), "shadow, change log or position tables left");
    }

    private static void assertEqualToReference(String table) {
        for (String sql : List.of(
                "SELECT count(*) FROM (SELECT id, n::bigint, note FROM load." + table + " EXCEPT SELECT id, n::bigint, note FROM load." + table + "_ref) d",
                "SELECT count(*) FROM (SELECT id, n::bigint, note FROM load." + table + "_ref EXCEPT SELECT id, n::bigint, note FROM load." + table + ") d")) {
            assertEquals(0, count(sql), table + " differs from its reference: " + sql);
        }
    }
}
