package dev.shadowshift.migration.it;

import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.messaging.EventPublisher;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowHooks;
import dev.shadowshift.migration.shadow.ShadowNames;
import dev.shadowshift.migration.shadow.ShadowStore;
import dev.shadowshift.migration.shadow.Throttle;
import dev.shadowshift.migration.shadow.ValidationMismatch;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.migration.support.Announcements;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.shadowshift.migration.it.WorkerUnderTest.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logical capture loses no committed write: several writers insert, update, move (a new key) and delete rows of the
 * original, some transactions rolling back, all through the backfill, validation and cutover; afterwards every row of
 * the rebuilt table is compared with what the writers last committed. Two of the ways a write could fall between the
 * slot and the change log are forced on purpose: a cutover that reads the slot under its lock and then lets go (too
 * many writes arrived while it waited), and a commit the slot hands out before it is visible to new snapshots (a
 * commit waiting for a synchronous standby is flushed and decodable, and still invisible).
 */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class LogicalCaptureStressTest {

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
    void underFourWritersEveryCommittedWriteIsInTheRebuiltTable() throws Exception {
        createTable("lcs_busy", 40_000);
        StoredPlan plan = storedPlan("lcs_busy", 501);
        List<MigrationProgress> said = new CopyOnWriteArrayList<>();
        // small validation ranges: many short snapshots, each reading the slot when it differs
        ShadowEngine engine = engine(Map.of("validationChunkRows", 5_000), said, ShadowHooks.NONE);
        Writers writers = new Writers("lcs_busy", 40_000, 4);
        try {
            writers.awaitCommits(200);
            assertEquals(ShadowEngine.Outcome.CUT_OVER, run(engine, plan));
            // and a while on the rebuilt table
            writers.awaitCommits(writers.commits.get() + 200);
        } finally {
            writers.close();
        }
        assertEquals(0, writers.failures.get(), "client writes failed: " + writers.lastFailure.get());
        assertTrue(writers.commits.get() > 1_000, "the writers kept writing: " + writers.commits.get());
        assertEquals("bigint", ShadowMigrationTest.columnType("lcs_busy", "n"));
        assertSameAsCommitted("lcs_busy", writers);
        assertTrue(said.stream().anyMatch(p -> p.message().startsWith("capture: logical decoding (wal_level=logical")),
                "the progress says the rebuild captures through logical decoding");
        assertEquals(0, slots(), "the replication slot is dropped after the cutover");
    }

    /**
     * Validation reads only a range's own keys of the change log: a row the shadow has and the original has not is
     * still found, in its range (the last one), while the clients keep writing every range before it.
     */
    @Test
    void aShadowRowThatDiffersFailsValidationInItsRangeAndTheOriginalKeepsServing() throws Exception {
        createTable("lcs_corrupt", 20_000);
        StoredPlan plan = storedPlan("lcs_corrupt", 504);
        ShadowNames n = ShadowNames.of(plan.planId(), "load", "lcs_corrupt");
        ShadowEngine engine = engine(Map.of("validationChunkRows", 5_000), new ArrayList<>(), reached -> {
            if (reached.equals("OPTIMIZED")) {
                try (Connection c = target(); Statement s = c.createStatement()) {
                    // a key no writer reaches, so no write makes it pending and no apply repairs it
                    s.execute("INSERT INTO " + n.qualified(n.shadow()) + " (id, n, note) VALUES (1000000000, 1, 'not in the original')");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        Writers writers = new Writers("lcs_corrupt", 20_000, 2);
        ValidationMismatch failed;
        try {
            writers.awaitCommits(100);
            failed = assertThrows(ValidationMismatch.class, () -> run(engine, plan));
        } finally {
            writers.close();
        }
        assertTrue(failed.getMessage().contains(", end]: ") && failed.getMessage().contains(" in the shadow"), failed.getMessage());
        assertEquals(0, writers.failures.get(), "client writes failed: " + writers.lastFailure.get());
        assertEquals("integer", ShadowMigrationTest.columnType("lcs_corrupt", "n"), "the original keeps serving, unchanged");
        assertEquals(0, slots(), "the replication slot is dropped after the failure");
    }

    /**
     * The cutover reads the slot under its lock; when more writes arrived meanwhile than it copies under a lock, it
     * lets go and rolls back, and what it read must come out of the slot again.
     */
    @Test
    void writesReadByACutoverThatLetGoOfItsLockAreNotLost() throws Exception {
        createTable("lcs_letgo", 5_000);
        StoredPlan plan = storedPlan("lcs_letgo", 502);
        AtomicReference<Map<Long, Row>> burst = new AtomicReference<>();
        AtomicLong swaps = new AtomicLong();
        ShadowEngine engine = engine(Map.of("cutoverMaxPending", 10), new ArrayList<>(), reached -> {
            // the first attempt finds 300 writes waiting in the slot, more than 4 x 10 copied under the lock
            if (reached.equals("BEFORE_SWAP") && swaps.incrementAndGet() == 1) {
                burst.set(updateEach("lcs_letgo", 300));
            }
        });
        assertEquals(ShadowEngine.Outcome.CUT_OVER, run(engine, plan));
        assertTrue(swaps.get() >= 2, "the cutover let go of its lock once: " + swaps.get() + " attempt(s)");
        Map<Long, Row> expected = initialRows(5_000);
        expected.putAll(burst.get());
        List<String> diff = differing("lcs_letgo", expected);
        assertEquals(0, diff.size(), () -> diff.size() + " row(s) differ: " + describe(diff));
        assertEquals(0, slots(), "the replication slot is dropped after the cutover");
    }

    /**
     * A commit that waits for a synchronous standby is flushed, so the slot decodes it, and it is not visible yet:
     * copying its row then would copy the version before it, and consume the key. The capture waits for it.
     */
    @Test
    void aCommitTheSlotHandsOutBeforeItIsVisibleIsCopiedOnceVisible() throws Exception {
        createTable("lcs_invisible", 5_000);
        StoredPlan plan = storedPlan("lcs_invisible", 503);
        AtomicBoolean started = new AtomicBoolean();
        AtomicReference<Thread> hanging = new AtomicReference<>();
        AtomicReference<Throwable> hangingFailed = new AtomicReference<>();
        ShadowEngine engine = engine(Map.of(), new ArrayList<>(), reached -> {
            try {
                if (reached.equals("BACKFILL_BATCH") && started.compareAndSet(false, true)) {
                    // in the slot's snapshot: this commit is the slot's to hand out, right after the backfill
                    setSynchronousStandby("ss_nobody");
                    Thread t = new Thread(() -> {
                        try (Connection c = target(); Statement s = c.createStatement()) {
                            s.execute("SET synchronous_commit = on");
                            s.execute("SET application_name = 'lcs_invisible'");
                            // commits locally, then waits for a standby that never answers: invisible until released
                            s.execute("UPDATE load.lcs_invisible SET n = 777, note = 'after' WHERE id = 7");
                        } catch (SQLException e) {
                            hangingFailed.set(e);
                        }
                    }, "hanging-commit");
                    t.start();
                    hanging.set(t);
                    awaitSyncRepWait();
                    // released later, whether the capture waits for it or (wrongly) copies row 7 at once
                    Thread release = new Thread(() -> {
                        try {
                            Thread.sleep(3_000);
                            setSynchronousStandby("");
                        } catch (Exception e) {
                            hangingFailed.compareAndSet(null, e);
                        }
                    }, "release-standby");
                    release.setDaemon(true);
                    release.start();
                } else if (reached.equals("BACKFILLED")) {
                    setSynchronousStandby("");
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            assertEquals(ShadowEngine.Outcome.CUT_OVER, run(engine, plan));
        } finally {
            setSynchronousStandby("");
            if (hanging.get() != null) {
                hanging.get().join(30_000);
            }
        }
        assertTrue(started.get(), "the backfill reached its first batch");
        assertEquals(null, hangingFailed.get(), "the hanging commit went through");
        Map<Long, Row> expected = initialRows(5_000);
        expected.put(7L, new Row(777, "after"));
        List<String> diff = differing("lcs_invisible", expected);
        assertEquals(0, diff.size(), () -> diff.size() + " row(s) differ: " + describe(diff));
        assertEquals(0, slots(), "the replication slot is dropped after the cutover");
    }

    // --- writers -----------------------------------------------------------------------------------------------

    record Row(long n, String note) {
    }

    /**
     * Writers that each own the keys k with |k| mod W = their number, so that what each one last committed is known
     * exactly: transactions of one to three statements (insert a new key, update, move a row to the negative key,
     * delete: about as many rows go as come), one in fifteen rolled back, a few milliseconds apart; writer 0 commits synchronously, the others with the server's default.
     */
    static final class Writers implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong commits = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicReference<Throwable> lastFailure = new AtomicReference<>();
        final List<Map<Long, Row>> models = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();

        Writers(String table, int rows, int count) {
            for (int w = 0; w < count; w++) {
                int me = w;
                Map<Long, Row> model = new HashMap<>();
                for (long id = 1; id <= rows; id++) {
                    if (id % count == me) {
                        model.put(id, new Row(id, "row " + id));
                    }
                }
                models.add(model);
                Thread t = new Thread(() -> write(table, rows, count, me, model), "writer-" + table + "-" + me);
                threads.add(t);
                t.start();
            }
        }

        private void write(String table, int rows, int count, int me, Map<Long, Row> model) {
            try (Connection c = target()) {
                if (me == 0) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SET synchronous_commit = on");
                    }
                }
                c.setAutoCommit(false);
                long next = rows / count + 1;
                while (running.get()) {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    Map<Long, Row> staged = new HashMap<>();
                    List<Long> gone = new ArrayList<>();
                    try (Statement s = c.createStatement()) {
                        int statements = 1 + r.nextInt(3);
                        for (int i = 0; i < statements; i++) {
                            int op = r.nextInt(10);
                            if (op < 2) {
                                long id = (next++) * count + me;
                                long n = r.nextInt(1_000_000);
                                s.execute("INSERT INTO load." + table + " (id, n, note) VALUES (" + id + ", " + n + ", 'i" + n + "')");
                                staged.put(id, new Row(n, "i" + n));
                                continue;
                            }
                            long base = (1 + r.nextLong(Math.max(1, next - 1))) * count + me;
                            long id = current(model, staged, gone, base);
                            if (id == 0) {
                                continue;
                            }
                            Row row = staged.containsKey(id) ? staged.get(id) : model.get(id);
                            if (op < 6) {
                                long n = r.nextInt(1_000_000);
                                s.execute("UPDATE load." + table + " SET n = " + n + ", note = 'u" + n + "' WHERE id = " + id);
                                staged.put(id, new Row(n, "u" + n));
                            } else if (op < 8 && id > 0) {
                                s.execute("UPDATE load." + table + " SET id = -id WHERE id = " + id);
                                staged.remove(id);
                                gone.add(id);
                                staged.put(-id, row);
                                gone.remove((Long) (-id));
                            } else {
                                s.execute("DELETE FROM load." + table + " WHERE id = " + id);
                                staged.remove(id);
                                gone.add(id);
                            }
                        }
                        if (r.nextInt(15) == 0) {
                            c.rollback();
                            continue;
                        }
                        c.commit();
                        // a steady client load, not a flood that outruns a worker on a busy machine without end
                        Thread.sleep(4);
                        for (Long id : gone) {
                            model.remove(id);
                        }
                        model.putAll(staged);
                        commits.incrementAndGet();
                    } catch (SQLException e) {
                        failures.incrementAndGet();
                        lastFailure.set(e);
                        c.rollback();
                    }
                }
            } catch (SQLException e) {
                failures.incrementAndGet();
                lastFailure.set(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The key the row of {@code base} has now in this transaction (itself or its negative), or 0 if gone. */
        private static long current(Map<Long, Row> model, Map<Long, Row> staged, List<Long> gone, long base) {
            for (long id : new long[]{base, -base}) {
                if (staged.containsKey(id) || (model.containsKey(id) && !gone.contains(id))) {
                    return id;
                }
            }
            return 0;
        }

        void awaitCommits(long atLeast) throws InterruptedException {
            while (commits.get() < atLeast && failures.get() == 0) {
                Thread.sleep(20);
            }
        }

        Map<Long, Row> committed() {
            Map<Long, Row> all = new HashMap<>();
            models.forEach(all::putAll);
            return all;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static void createTable(String table, int rows) throws SQLException {
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE load." + table + " (id bigint PRIMARY KEY, n integer CHECK (n >= 0), note text)");
            s.execute("INSERT INTO load." + table + " SELECT g, g, 'row ' || g FROM generate_series(1, " + rows + ") g");
            s.execute("CREATE INDEX " + table + "_n ON load." + table + " (n)");
        }
    }

    private static Map<Long, Row> initialRows(int rows) {
        Map<Long, Row> m = new HashMap<>();
        for (long id = 1; id <= rows; id++) {
            m.put(id, new Row(id, "row " + id));
        }
        return m;
    }

    /** Updates {@code count} rows, each in a transaction of its own: @return what they now hold. */
    private static Map<Long, Row> updateEach(String table, int count) {
        Map<Long, Row> done = new HashMap<>();
        try (Connection c = target(); PreparedStatement ps = c.prepareStatement("UPDATE load." + table + " SET n = ?, note = ? WHERE id = ?")) {
            for (long id = 1; id <= count; id++) {
                long n = 500_000 + id;
                ps.setLong(1, n);
                ps.setString(2, "burst " + id);
                ps.setLong(3, id * 7);
                ps.executeUpdate();
                done.put(id * 7, new Row(n, "burst " + id));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return done;
    }

    private static void assertSameAsCommitted(String table, Writers writers) throws SQLException {
        List<String> diff = differing(table, writers.committed());
        assertEquals(0, diff.size(), () -> diff.size() + " row(s) of load." + table + " differ from what the writers last committed: " + describe(diff));
    }

    /** Every key whose row in the table is not the expected one: missing, extra or with other values. */
    private static List<String> differing(String table, Map<Long, Row> expected) throws SQLException {
        Map<Long, Row> actual = new HashMap<>();
        try (Connection c = target(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, n, note FROM load." + table)) {
            while (rs.next()) {
                actual.put(rs.getLong(1), new Row(rs.getLong(2), rs.getString(3)));
            }
        }
        List<String> diff = new ArrayList<>();
        for (Map.Entry<Long, Row> e : expected.entrySet()) {
            Row got = actual.get(e.getKey());
            if (!Objects.equals(got, e.getValue())) {
                diff.add(e.getKey() + ": committed " + e.getValue() + ", table has " + got);
            }
        }
        for (Long id : actual.keySet()) {
            if (!expected.containsKey(id)) {
                diff.add(id + ": not committed by any writer, table has " + actual.get(id));
            }
        }
        return diff;
    }

    private static String describe(List<String> diff) {
        return String.join("; ", diff.subList(0, Math.min(10, diff.size())));
    }

    /** A server setting: a DBA's change, made as the superuser (migration-worker's role may not ALTER SYSTEM). */
    private static void setSynchronousStandby(String names) throws SQLException {
        try (Connection c = dev.shadowshift.testkit.TargetFixtures.asSuperuser(); Statement s = c.createStatement()) {
            s.execute(names.isEmpty() ? "ALTER SYSTEM RESET synchronous_standby_names"
                    : "ALTER SYSTEM SET synchronous_standby_names = '" + names + "'");
            s.execute("SELECT pg_reload_conf()");
        }
    }

    private static void awaitSyncRepWait() throws Exception {
        while (count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lcs_invisible' AND wait_event = 'SyncRep'") == 0) {
            Thread.sleep(20);
        }
    }

    private ShadowEngine engine(Map<String, Object> shadowOverrides, List<MigrationProgress> said, ShadowHooks hooks) {
        MigrationConfig.Shadow shadow = (MigrationConfig.Shadow) Proxy.newProxyInstance(MigrationConfig.class.getClassLoader(),
                new Class<?>[]{MigrationConfig.Shadow.class}, (proxy, method, args) -> method.getName().equals("capture") ? "auto"
                        : shadowOverrides.containsKey(method.getName()) ? shadowOverrides.get(method.getName()) : method.invoke(config.shadow(), args));
        MigrationConfig auto = (MigrationConfig) Proxy.newProxyInstance(MigrationConfig.class.getClassLoader(), new Class<?>[]{MigrationConfig.class},
                (proxy, method, args) -> method.getName().equals("shadow") ? shadow : method.invoke(config, args));
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
        return new ShadowEngine(targets, shadowStore, plans, recording, auto, throttle, hooks);
    }

    private ShadowEngine.Outcome run(ShadowEngine engine, StoredPlan plan) throws Exception {
        ShadowRebuild rebuild = plans.rebuilds(plan.planId()).get(0);
        return engine.run(new ShadowEngine.Progress(plan, 0, 4), rebuild);
    }

    private StoredPlan storedPlan(String table, int version) throws Exception {
        SchemaChange change = WorkerUnderTest.typeChange("load", table, "n", "integer", "bigint");
        SpecChanged spec = new SpecChanged("load", version, null, "0".repeat(64), "main", "load", "BACKWARD", List.of(change));
        // not runnable: this JVM's own runner must not try to take the plan this test runs
        return WorkerUnderTest.directPlan(plans, "stress-" + table, spec, "backup-" + table, false);
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
}
