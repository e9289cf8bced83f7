package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * The rollback window's capture: after a cutover, the keys of every write to the rebuilt table are recorded, cheaply,
 * so that a rollback can replay them into the rollback table (the original) before swapping it back; nothing copies
 * full rows in the clients' transactions.
 * <ul>
 *   <li>{@link Mode#LOGICAL}, where the server has wal_level=logical: a replication slot ({@code test_decoding}),
 *   created just before the cutover's lock (a slot cannot be made in a transaction that wrote), from which the worker
 *   reads the rebuilt table's keys into the key log (its scheduled check, so the slot holds back little WAL, and the
 *   rollback). Clients pay nothing. Changes are peeked and the slot advanced only once their keys are committed to
 *   the log, so a failed read loses none. The table is recognised by name as test_decoding prints it: changes made
 *   before the cutover renamed the tables are the original's, and may add keys, which is harmless (a replay writes
 *   the rebuilt table's current row).</li>
 *   <li>{@link Mode#TRIGGER} elsewhere: a key-only log trigger on the rebuilt table, its function and the key log in
 *   the tool's schema.</li>
 * </ul>
 * A replayed key gets the rebuilt table's current row converted back, or is deleted when the row is gone; a value that
 * cannot be converted back is reported by key ({@link Lost}) and keeps its value from before.
 */
final class RollbackWindow {

    private static final Logger LOG = Logger.getLogger(RollbackWindow.class);

    enum Mode { LOGICAL, TRIGGER }

    /** How the window captures, and why, in words for the plan's progress. */
    record Choice(Mode mode, String why) {
    }

    /** Keys whose row could not be written back, with the server's reason; at most {@link #SAMPLE} are kept by name. */
    static final class Lost {
        static final int SAMPLE = 10;
        long count;
        final Map<String, String> sample = new LinkedHashMap<>();

        void add(String key, String reason) {
            count++;
            if (sample.size() < SAMPLE) {
                sample.put(key, reason);
            }
        }

        void addAll(Lost other) {
            count += other.count;
            other.sample.forEach((k, v) -> {
                if (sample.size() < SAMPLE) {
                    sample.put(k, v);
                }
            });
        }
    }

    private RollbackWindow() {
    }

    /**
     * Before the cutover: how this rebuild's window will capture. Empty when it captures nothing: a window of 0, or a
     * changed type with no cast back (a rollback then brings the table back as it was at cutover).
     */
    static Optional<Choice> choose(Connection c, ShadowNames n, boolean castsBack, java.time.Duration window, String capture)
            throws SQLException {
        if (window.isZero() || window.isNegative() || !castsBack) {
            return Optional.empty();
        }
        if (capture.equals("trigger")) {
            return Optional.of(new Choice(Mode.TRIGGER, "rollback-window-capture=trigger"));
        }
        Optional<String> unavailable = LogicalCapture.unavailable(c, n);
        return Optional.of(unavailable.map(why -> new Choice(Mode.TRIGGER, why))
                .orElseGet(() -> new Choice(Mode.LOGICAL, "the server decodes WAL (wal_level=logical)")));
    }

    /** Creates the window's slot, unless it exists, on {@code c} (autocommit, no write in its session's transaction). */
    static void createSlot(Connection c, ShadowNames n) throws SQLException {
        if (slotExists(c, n)) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT lsn::text FROM pg_create_logical_replication_slot(?, ?)")) {
            ps.setString(1, n.windowSlot());
            ps.setString(2, LogicalCapture.PLUGIN);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                LOG.infof("replication slot %s created at %s for the rollback window of %s", n.windowSlot(), rs.getString(1),
                        n.qualified(n.table()));
            }
        }
    }

    static boolean slotExists(Connection c, ShadowNames n) throws SQLException {
        return LogicalCapture.slotExists(c, n.windowSlot());
    }

    /** True while the window's key log exists (it captures). */
    static boolean open(Connection c, ShadowNames n) throws SQLException {
        return TargetCatalog.exists(c, ShadowNames.TOOL_SCHEMA, n.windowLog());
    }

    /**
     * In the cutover's transaction, once the rebuilt table has the name: the key log, and for {@link Mode#TRIGGER}
     * the key-only log trigger.
     */
    static void startInCutover(Connection c, ShadowNames n, Mode mode) throws SQLException {
        TableShape shape = TargetCatalog.shape(c, n.schema(), n.table()).orElseThrow();
        try (Statement s = c.createStatement()) {
            StatementFailed.exec(s, WindowSql.createLog(n, shape));
            if (mode == Mode.TRIGGER) {
                StatementFailed.exec(s, WindowSql.logFunction(n, shape));
                StatementFailed.exec(s, WindowSql.truncateFunction(n));
                for (String t : WindowSql.logTriggers(n)) {
                    StatementFailed.exec(s, t);
                }
            }
        }
    }

    /** The triggers {@link TableSwap} drops from the rebuilt table when it swaps back. */
    static List<String> triggers(ShadowNames n) {
        return List.of(n.windowTrigger(), n.windowTruncateTrigger());
    }

    /** In a transaction that holds the table: drops the triggers, their functions and the key log. The slot goes after commit. */
    static void dropCapture(Connection c, ShadowNames n) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (TargetCatalog.exists(c, n.schema(), n.table())) {
                for (String t : triggers(n)) {
                    StatementFailed.exec(s, "DROP TRIGGER IF EXISTS " + quote(t) + " ON " + n.qualified(n.table()));
                }
            }
            for (String sql : WindowSql.dropCapture(n)) {
                StatementFailed.exec(s, sql);
            }
        }
    }

    /**
     * Reads the slot's changes into the key log until it is empty. In {@code c}'s transaction when it is in one (the
     * rollback's, under its lock: the slot is dropped after commit and need not advance), in one read; otherwise
     * {@code maxChanges} at a time, each read committed and only then the slot advanced past it, so that a failed read
     * loses nothing. {@code side} first makes every commit so far durable in WAL (the slot decodes only flushed WAL).
     * The session's own writes carry the window's replication origin and are left out. A TRUNCATE of the table empties
     * the rollback table and the log. No-op without the slot.
     * @return the changes of the table read
     */
    static long drainSlot(Connection c, Connection side, ShadowNames n, int maxChanges) throws SQLException {
        if (!slotExists(c, n)) {
            return 0;
        }
        tagOwnWrites(c, n);
        LogicalCapture.flushWal(side);
        TableShape shape = TargetCatalog.shape(c, n.schema(), n.table()).orElseThrow();
        String prefix = LogicalCapture.prefix(c, n);
        if (!c.getAutoCommit()) {
            return read(c, n, shape, prefix, null).changes;
        }
        long total = 0;
        while (true) {
            c.setAutoCommit(false);
            Read r;
            try {
                r = read(c, n, shape, prefix, maxChanges);
                c.commit();
            } catch (SQLException e) {
                ShortLocks.rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            total += r.changes;
            LogicalCapture.awaitVisible(c, List.copyOf(r.xids), n);
            if (r.upTo != null) {
                // the keys are committed: only now may the slot let go of their changes
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_slot_advance(?, ?::pg_lsn)")) {
                    ps.setString(1, n.windowSlot());
                    ps.setString(2, r.upTo);
                    ps.execute();
                }
            }
            if (r.rows < maxChanges) {
                return total;
            }
        }
    }

    private static final class Read {
        long rows;
        long changes;
        String upTo;
        final java.util.Set<Long> xids = new java.util.HashSet<>();
    }

    /** One peek of up to {@code maxChanges} rows (null: all), their keys appended to the log in {@code c}'s transaction. */
    private static Read read(Connection c, ShadowNames n, TableShape shape, String prefix, Integer maxChanges) throws SQLException {
        Read r = new Read();
        try (PreparedStatement peek = c.prepareStatement("SELECT lsn::text, data FROM pg_logical_slot_peek_changes(?, NULL, ?, "
                + "'include-xids', '1', 'skip-empty-xacts', '1', 'only-local', '1')");
             PreparedStatement log = c.prepareStatement(WindowSql.insertKey(n, shape))) {
            peek.setString(1, n.windowSlot());
            if (maxChanges == null) {
                peek.setNull(2, java.sql.Types.INTEGER);
            } else {
                peek.setInt(2, maxChanges);
            }
            int batched = 0;
            try (ResultSet rs = peek.executeQuery()) {
                while (rs.next()) {
                    r.rows++;
                    r.upTo = rs.getString(1);
                    String data = rs.getString(2);
                    if (data.startsWith("COMMIT ")) {
                        r.xids.add(Long.parseLong(data.substring("COMMIT ".length()).strip()));
                        continue;
                    }
                    TestDecoding.Change change;
                    try {
                        change = TestDecoding.parse(data, prefix, shape.primaryKey());
                    } catch (IllegalArgumentException e) {
                        throw new SQLException("the rollback window of " + n.qualified(n.table()) + " cannot read a change: "
                                + e.getMessage(), "SS002", e);
                    }
                    if (change == null) {
                        continue;
                    }
                    r.changes++;
                    if (change.kind() == TestDecoding.Kind.TRUNCATE) {
                        if (batched > 0) {
                            log.executeBatch();
                            batched = 0;
                        }
                        try (Statement s = c.createStatement()) {
                            s.execute(WindowSql.truncateRollback(n));
                        }
                        continue;
                    }
                    int p = 1;
                    for (List<String> key : Arrays.asList(change.oldKey(), change.newKey())) {
                        for (int i = 0; i < shape.primaryKey().size(); i++) {
                            log.setString(p++, key == null ? null : key.get(i));
                        }
                    }
                    log.addBatch();
                    if (++batched == 1000) {
                        log.executeBatch();
                        batched = 0;
                    }
                }
            }
            if (batched > 0) {
                log.executeBatch();
            }
        }
        return r;
    }

    /** Marks this session's writes with the window's replication origin, so that its slot leaves them out. */
    private static void tagOwnWrites(Connection c, ShadowNames n) throws SQLException {
        LogicalCapture.tagOwnWrites(c, n.windowSlot());
    }

    /** The WAL the window's slot holds back from recycling, in bytes (0 without the slot). */
    static long retainedWal(Connection c, ShadowNames n) throws SQLException {
        return LogicalCapture.retainedWal(c, n.windowSlot());
    }

    /** Drops the window's slot if it exists, ending the backend that still holds it (it is ours, by name). Idempotent. */
    static void dropSlot(Connection c, ShadowNames n) throws SQLException {
        LogicalCapture.dropSlotAndOrigin(c, n.windowSlot());
    }

    /** What a rollback replays with: the rebuilt table's shape and each changed column's conversion back. */
    record Replay(TableShape shape, Map<String, ShadowRebuild.ColumnChange> back) {

        static Replay of(Connection c, ShadowNames n, ShadowRebuild rebuild) throws SQLException {
            TableShape now = TargetCatalog.shape(c, n.schema(), n.table()).orElseThrow();
            TableShape before = TargetCatalog.shape(c, n.schema(), n.rollback()).orElseThrow();
            List<ShadowRebuild.ColumnChange> back = new ArrayList<>();
            for (ShadowRebuild.ColumnChange change : rebuild.changes()) {
                if (change.toType() != null) {
                    back.add(new ShadowRebuild.ColumnChange(change.column(), before.type(change.column()), change.toType(), false));
                }
            }
            return new Replay(now, ShadowSql.byColumn(new ShadowRebuild(n.schema(), n.table(), back)));
        }
    }

    /**
     * Replays rounds of {@code limit} log rows until one takes fewer than {@code stopBelow} (0: until the log is
     * empty), in {@code c}'s transaction if it is in one, else each round in its own.
     * @return the log rows taken
     */
    static long replay(Connection c, ShadowNames n, Replay r, int limit, int stopBelow, Lost lost) throws SQLException {
        long total = 0;
        long before = Long.MAX_VALUE;
        while (true) {
            long taken = replayOnce(c, n, r, limit, lost);
            total += taken;
            boolean steady = stopBelow > 0 && taken < limit && taken >= before;
            if (taken == 0 || taken < stopBelow || steady) {
                return total;
            }
            before = taken;
        }
    }

    private static long replayOnce(Connection c, ShadowNames n, Replay r, int limit, Lost lost) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        Savepoint sp = c.setSavepoint();
        try {
            long taken;
            try (PreparedStatement ps = c.prepareStatement(WindowSql.replayRound(n, r.shape(), r.back()))) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    taken = rs.getLong(1);
                }
                c.releaseSavepoint(sp);
            } catch (SQLException e) {
                if (!cannotConvertBack(e)) {
                    throw e;
                }
                c.rollback(sp);
                taken = replayOneByOne(c, n, r, limit, lost);
            }
            if (auto) {
                c.commit();
            }
            return taken;
        } catch (SQLException e) {
            if (auto) {
                ShortLocks.rollbackQuietly(c);
            }
            throw e;
        } finally {
            if (auto) {
                c.setAutoCommit(true);
            }
        }
    }

    /** A value the reverse conversion or the rollback table's constraints refuse (data exception, integrity violation). */
    static boolean cannotConvertBack(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /** A round that failed on a value: its keys one by one, each under a savepoint; a failing one is reported and dropped. */
    private static long replayOneByOne(Connection c, ShadowNames n, Replay r, int limit, Lost lost) throws SQLException {
        int keyColumns = r.shape().primaryKey().size();
        Map<List<String>, List<String>> rowsByKey = new LinkedHashMap<>();
        long taken = 0;
        try (PreparedStatement ps = c.prepareStatement(WindowSql.peekRound(n, r.shape()))) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    taken++;
                    String ctid = rs.getString(1);
                    for (int side = 0; side < 2; side++) {
                        List<String> key = new ArrayList<>();
                        for (int i = 0; i < keyColumns; i++) {
                            key.add(rs.getString(2 + side * keyColumns + i));
                        }
                        if (key.get(0) != null) {
                            rowsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(ctid);
                        }
                    }
                }
            }
        }
        String replayKey = WindowSql.replayKey(n, r.shape(), r.back());
        for (Map.Entry<List<String>, List<String>> e : rowsByKey.entrySet()) {
            Savepoint sp = c.setSavepoint();
            try (PreparedStatement ps = c.prepareStatement(replayKey)) {
                ps.setArray(1, c.createArrayOf("text", e.getValue().toArray()));
                for (int i = 0; i < keyColumns; i++) {
                    ps.setString(2 + i, e.getKey().get(i));
                }
                ps.executeQuery().close();
                c.releaseSavepoint(sp);
            } catch (SQLException failed) {
                if (!cannotConvertBack(failed)) {
                    throw failed;
                }
                c.rollback(sp);
                String key = e.getKey().size() == 1 ? e.getKey().get(0) : "(" + String.join(", ", e.getKey()) + ")";
                lost.add(key, failed.getMessage());
                LOG.warnf("rollback of %s: the row with key %s cannot be written back to %s: %s; it keeps its value from before",
                        n.qualified(n.table()), key, n.qualified(n.rollback()), failed.getMessage());
                try (PreparedStatement forget = c.prepareStatement(WindowSql.forget(n))) {
                    forget.setArray(1, c.createArrayOf("text", e.getValue().toArray()));
                    forget.execute();
                }
            }
        }
        return taken;
    }

    /** Log rows waiting now. */
    static long pending(Connection c, ShadowNames n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + n.tool(n.windowLog()));
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
