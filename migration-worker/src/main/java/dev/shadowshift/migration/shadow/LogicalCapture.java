package dev.shadowshift.migration.shadow;

import dev.shadowshift.pg.PgEndpoint;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.replication.ReplicationSlotInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Capture through logical decoding, where the server has {@code wal_level=logical}: clients pay nothing, as no
 * trigger runs in their writes. A replication slot ({@code test_decoding}) is created with an exported snapshot;
 * the backfill copies the original as of that snapshot, and every write committed after it comes out of the slot.
 * The worker reads the slot ({@code pg_logical_slot_peek_changes}, advancing it only past what the change log holds
 * committed: {@link #drainOnce}), and writes the keys it finds into the same change log the trigger would fill ({@link ChangeLog}), so applying them, validating and cutting over are one code path
 * for both capture modes. The worker's own writes to the shadow carry a replication origin and are filtered out
 * by the plugin ({@code only-local}), so the backfill is never decoded back.
 *
 * <p>Slot safety: the slot is the only thing of a migration that can hurt the server (it holds WAL back), so it is
 * dropped on every way out: the cutover, an abandon (failure, cancel, a slot past {@code max-slot-wal}), a pause
 * (a paused migration must not hold WAL for as long as it stays paused), and the resume after a crash, which
 * starts the backfill over from a new slot: a slot read by a process that died may have handed out changes that
 * never reached the log.
 */
final class LogicalCapture {

    private static final Logger LOG = Logger.getLogger(LogicalCapture.class);
    static final String PLUGIN = "test_decoding";

    private LogicalCapture() {
    }

    /** Slot and replication origin name: lower case, digits and underscores, as slots require. */
    static String slot(ShadowNames n) {
        return "shadowshift_" + n.shortId();
    }

    /**
     * Why this table's rebuild cannot capture through logical decoding here, in words for the plan's progress, or
     * empty when it can.
     */
    static Optional<String> unavailable(Connection c, ShadowNames n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT current_setting('wal_level'),
                       current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots),
                       (SELECT rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user),
                       (SELECT relreplident FROM pg_class WHERE oid = to_regclass(?)),
                       (SELECT count(*) FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid WHERE d.datname = current_database()),
                       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                         OR has_function_privilege('pg_replication_origin_session_setup(text)', 'EXECUTE'),
                       current_user""")) {
            ps.setString(1, n.qualified(n.table()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!"logical".equals(rs.getString(1))) {
                    return Optional.of("wal_level is " + rs.getString(1) + "; logical decoding needs wal_level=logical");
                }
                if (rs.getInt(2) <= 0) {
                    return Optional.of("every replication slot is in use, max_replication_slots");
                }
                if (!rs.getBoolean(3)) {
                    return Optional.of("role " + rs.getString(7) + " has no REPLICATION attribute");
                }
                String identity = rs.getString(4);
                if ("n".equals(identity) || "i".equals(identity)) {
                    return Optional.of(n.qualified(n.table()) + " has REPLICA IDENTITY " + ("n".equals(identity) ? "NOTHING" : "USING INDEX")
                            + ": its decoded deletes would not carry the primary key");
                }
                if (rs.getLong(5) > 0) {
                    return Optional.of("this database receives logical replication: its writes carry a replication origin, "
                            + "which the capture uses to tell its own writes apart");
                }
                if (!rs.getBoolean(6)) {
                    return Optional.of("role " + rs.getString(7) + " may not execute pg_replication_origin_session_setup");
                }
                return Optional.empty();
            }
        }
    }

    /** True when the original carries this rebuild's capture trigger: the mode an earlier run chose, read back on resume. */
    static boolean triggerInstalled(Connection c, ShadowNames n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = ?")) {
            ps.setString(1, n.qualified(n.table()));
            ps.setString(2, n.captureTrigger());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** True when this rebuild's slot exists (a crashed or paused run left it). */
    static boolean slotExists(Connection c, ShadowNames n) throws SQLException {
        return slotExists(c, slot(n));
    }

    static boolean slotExists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Drops the slot and the replication origin, if they exist. A slot still held by a session (the backend of a
     * worker that died in a read) is freed by ending that backend first: it is ours, by name. Idempotent.
     */
    static void drop(Connection c, ShadowNames n) throws SQLException {
        dropSlotAndOrigin(c, slot(n));
    }

    /**
     * Drops the replication slot and the replication origin of this name, if they exist, ending the backend that
     * still holds the slot first (it is ours, by name). Idempotent; the rebuild's and the rollback window's slots.
     */
    static void dropSlotAndOrigin(Connection c, String name) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_session_reset() WHERE pg_replication_origin_session_is_setup()")) {
                ps.execute();
            }
            for (int attempt = 0; ; attempt++) {
                try (PreparedStatement ps = c.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            break;
                        }
                        int pid = rs.getInt(1);
                        if (!rs.wasNull() && pid != 0) {
                            try (PreparedStatement t = c.prepareStatement("SELECT pg_terminate_backend(?, 5000)")) {
                                t.setInt(1, pid);
                                t.execute();
                            }
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
                    ps.setString(1, name);
                    ps.execute();
                    LOG.infof("replication slot %s dropped", name);
                    break;
                } catch (SQLException e) {
                    // 55006: still active (the terminated backend has not exited yet)
                    if (!"55006".equals(e.getSQLState()) || attempt >= 20) {
                        throw e;
                    }
                    sleep(100);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = ?")) {
                ps.setString(1, name);
                ps.execute();
            }
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Marks this session's writes with the rebuild's replication origin, so that the slot leaves them out. */
    static void tagOwnWrites(Connection c, ShadowNames n) throws SQLException {
        tagOwnWrites(c, slot(n));
    }

    static void tagOwnWrites(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_create(?) WHERE NOT EXISTS "
                + "(SELECT 1 FROM pg_replication_origin WHERE roname = ?)")) {
            ps.setString(1, name);
            ps.setString(2, name);
            ps.execute();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_session_setup(?) WHERE NOT pg_replication_origin_session_is_setup()")) {
            ps.setString(1, name);
            ps.execute();
        }
    }

    /**
     * Creates the slot over a replication connection and imports its exported snapshot into {@code c}, which is
     * left in an open REPEATABLE READ transaction that sees the original exactly as the slot's first change
     * follows it. The replication connection is closed once the snapshot is imported (the transaction keeps it).
     */
    static void createAndImport(PgEndpoint endpoint, Connection c, ShadowNames n) throws SQLException {
        try (Connection rc = endpoint.replicationConnect()) {
            ReplicationSlotInfo info = rc.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot().logical()
                    .withSlotName(slot(n)).withOutputPlugin(PLUGIN).make();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                s.execute("SET TRANSACTION SNAPSHOT " + quoteLiteral(info.getSnapshotName()));
            }
            LOG.infof("replication slot %s created at %s; the backfill reads snapshot %s", info.getSlotName(),
                    info.getConsistentPoint(), info.getSnapshotName());
        }
    }

    /** The WAL the slot holds back from recycling, in bytes (0 without the slot). */
    static long retainedWal(Connection c, ShadowNames n) throws SQLException {
        return retainedWal(c, slot(n));
    }

    static long retainedWal(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint "
                + "FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Throws when the slot holds back more WAL than allowed: the caller abandons the rebuild, which drops it. */
    static void checkRetained(Connection c, ShadowNames n, long maxBytes, String setting) throws SQLException, SlotWalExceeded {
        long held = retainedWal(c, n);
        if (held > maxBytes) {
            throw new SlotWalExceeded("the replication slot " + slot(n) + " of the rebuild of " + n.qualified(n.table()) + " holds back "
                    + held + " bytes of WAL, past " + setting + " (" + maxBytes + " bytes); the migration stops before the server's "
                    + "disk fills: the slot and the shadow are removed and " + n.qualified(n.table()) + " serves unchanged");
        }
    }

    /**
     * Reads the slot's changes so far and appends the keys of the original's among them to the change log, in one
     * transaction: its own, or the caller's when {@code c} is in one (the cutover's, validation's).
     *
     * <p>Two things make this lose nothing. The slot is only <em>peeked</em>: the commit position of the last
     * transaction logged is written to the position table in the same transaction as its keys, and the slot is
     * advanced to that position, on {@code side}, only at the next read, once it is committed. A read inside a
     * transaction that then rolls back (a cutover that let go of its lock, a validation range that failed) leaves
     * the slot where it was, and the next read hands the same changes out again ({@code pg_logical_slot_get_changes}
     * would have consumed them for good). A transaction already logged is recognised by its commit position and not
     * logged twice. And the slot hands out a commit as soon as its record is flushed, a moment before the committing
     * session leaves the proc array, when a new snapshot would still see the row as it was: copying the row then
     * would consume the key with the old version. So before returning, the read waits on {@code side} until each
     * transaction whose keys it logged is visible to new snapshots.
     *
     * @param side a session of its own, in autocommit: it advances the slot, flushes the WAL ({@link #flushWal}) and
     *             waits for visibility outside whatever snapshot {@code c} holds
     * @return the changes of the original that were logged
     */
    static long drainOnce(Connection c, Connection side, ShadowNames n, TableShape shape, String prefix) throws SQLException, CaptureLost {
        advanceToLogged(side, n);
        flushWal(side);
        List<Integer> positions = ShadowSql.keyPositions(shape);
        String insert = "INSERT INTO " + n.tool(n.changeLog()) + " (" + ShadowSql.list(positions, i -> "old_" + i) + ", "
                + ShadowSql.list(positions, i -> "new_" + i) + ") VALUES (" + ShadowSql.list(shape.primaryKey(), k -> "?::" + shape.type(k))
                + ", " + ShadowSql.list(shape.primaryKey(), k -> "?::" + shape.type(k)) + ")";
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        long logged = 0;
        List<Long> xids = new ArrayList<>();
        try {
            long loggedUpTo = loggedPosition(c, n);
            long lastCommit = loggedUpTo;
            try (PreparedStatement peek = c.prepareStatement("SELECT lsn::text, xid::text, data FROM pg_logical_slot_peek_changes(?, NULL, NULL, "
                    + "'include-xids', '1', 'skip-empty-xacts', '1', 'only-local', '1')");
                 PreparedStatement log = c.prepareStatement(insert)) {
                peek.setString(1, slot(n));
                // streamed through a cursor (the transaction is open): a read after a long backfill can be large
                peek.setFetchSize(5_000);
                List<TestDecoding.Change> xact = new ArrayList<>();
                int batched = 0;
                try (ResultSet rs = peek.executeQuery()) {
                    while (rs.next()) {
                        String data = rs.getString(3);
                        if (data.startsWith("BEGIN")) {
                            xact.clear();
                            continue;
                        }
                        if (data.startsWith("COMMIT")) {
                            long commit = lsn(rs.getString(1));
                            if (commit > loggedUpTo && !xact.isEmpty()) {
                                for (TestDecoding.Change change : xact) {
                                    int p = 1;
                                    for (List<String> key : java.util.Arrays.asList(change.oldKey(), change.newKey())) {
                                        for (int i = 0; i < positions.size(); i++) {
                                            log.setString(p++, key == null ? null : key.get(i));
                                        }
                                    }
                                    log.addBatch();
                                    logged++;
                                    if (++batched == 1000) {
                                        log.executeBatch();
                                        batched = 0;
                                    }
                                }
                                xids.add(Long.parseLong(rs.getString(2)));
                            }
                            lastCommit = Math.max(lastCommit, commit);
                            xact.clear();
                            continue;
                        }
                        TestDecoding.Change change;
                        try {
                            change = TestDecoding.parse(data, prefix, shape.primaryKey());
                        } catch (IllegalArgumentException e) {
                            throw new CaptureLost(e.getMessage());
                        }
                        if (change == null) {
                            continue;
                        }
                        if (change.kind() == TestDecoding.Kind.TRUNCATE) {
                            throw new CaptureLost(n.qualified(n.table()) + " was truncated while it was migrated with logical capture");
                        }
                        xact.add(change);
                    }
                }
                if (batched > 0) {
                    log.executeBatch();
                }
            }
            if (lastCommit > loggedUpTo) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + n.tool(n.backfillPosition()) + " SET slot_lsn = ?::pg_lsn")) {
                    ps.setString(1, lsnText(lastCommit));
                    ps.executeUpdate();
                }
            }
            if (auto) {
                c.commit();
            }
        } finally {
            if (auto) {
                ShortLocks.rollbackQuietly(c);
                c.setAutoCommit(true);
            }
        }
        awaitVisible(side, xids, n);
        return logged;
    }

    /**
     * Moves the slot up to the commit position the change log holds every transaction of (committed in the
     * position table), so that it frees the WAL before it: never further, whatever was read in a transaction that
     * rolled back.
     */
    static void advanceToLogged(Connection side, ShadowNames n) throws SQLException {
        try (PreparedStatement ps = side.prepareStatement("SELECT pg_replication_slot_advance(s.slot_name, p.slot_lsn) FROM pg_replication_slots s, "
                + n.tool(n.backfillPosition()) + " p WHERE s.slot_name = ? AND p.slot_lsn IS NOT NULL AND s.confirmed_flush_lsn < p.slot_lsn")) {
            ps.setString(1, slot(n));
            ps.execute();
        }
    }

    private static long loggedPosition(Connection c, ShadowNames n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT slot_lsn::text FROM " + n.tool(n.backfillPosition()));
             ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getString(1) != null ? lsn(rs.getString(1)) : 0;
        }
    }

    /** How long a transaction the slot decoded may stay invisible before the capture gives up (see {@link #awaitVisible}). */
    static final java.time.Duration VISIBLE_WITHIN = java.time.Duration.ofMinutes(5);

    /**
     * Waits until every transaction in {@code xids} (32-bit ids, as the slot reports them) is visible to a new
     * snapshot on {@code side}: below the snapshot's xmax and not in its in-progress list. Normally at once; a
     * commit that waits for a synchronous standby stays invisible (and its client waits) until the standby answers.
     */
    static void awaitVisible(Connection side, List<Long> xids, ShadowNames n) throws SQLException {
        if (xids.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        long lastLog = started;
        int i = 0;
        for (long sleep = 1; ; sleep = Math.min(100, sleep * 2)) {
            long xmax;
            java.util.Set<Long> inProgress = new java.util.HashSet<>();
            try (Statement s = side.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_snapshot_xmax(s)::text, ARRAY(SELECT pg_snapshot_xip(s)::text) FROM pg_current_snapshot() s")) {
                rs.next();
                xmax = Long.parseLong(rs.getString(1));
                for (Object x : (Object[]) rs.getArray(2).getArray()) {
                    inProgress.add(Long.parseLong(x.toString()));
                }
            }
            for (; i < xids.size(); i++) {
                long full = fullXid(xids.get(i), xmax);
                if (full >= xmax || inProgress.contains(full)) {
                    break;
                }
            }
            if (i == xids.size()) {
                return;
            }
            long now = System.nanoTime();
            if (now - started > VISIBLE_WITHIN.toNanos()) {
                throw new SQLException("logical capture of " + n.qualified(n.table()) + ": transaction " + xids.get(i) + " is committed in the WAL "
                        + "but has not become visible for " + VISIBLE_WITHIN.toMinutes() + " minutes (is it waiting for a synchronous standby?)", "55000");
            }
            if (now - lastLog > 10_000_000_000L) {
                lastLog = now;
                LOG.warnf("logical capture of %s: waiting for transaction %d, committed in the WAL, to become visible "
                        + "(is it waiting for a synchronous standby?)", n.qualified(n.table()), xids.get(i));
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for a decoded transaction to become visible", "57014", e);
            }
        }
    }

    /**
     * The 64-bit id (xid8) of a 32-bit transaction id the slot reports: the one within 2^31 of {@code xmax}, the
     * current snapshot's (a decoded transaction is far younger than 2^31 transactions), across an epoch boundary too.
     */
    static long fullXid(long xid32, long xmax) {
        return xmax - (int) (xmax - xid32);
    }

    /** An LSN as PostgreSQL prints it ({@code 16/B374D848}), as a number. */
    static long lsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    static String lsnText(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase(Locale.ROOT) + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
    }

    /**
     * Makes every commit so far durable in WAL, on a session of its own: the slot decodes only up to the flushed
     * position, and clients with synchronous_commit=off leave their last commits unflushed for up to
     * wal_writer_delay. One transaction that writes a (transactional) logical message and commits with a local
     * flush flushes them all, waits for no standby, and gives the next read a commit past everything before it,
     * to which the slot can be advanced when nothing of the clients' came after the worker's own writes.
     */
    static void flushWal(Connection side) throws SQLException {
        side.setAutoCommit(false);
        try (Statement s = side.createStatement()) {
            s.execute("SET LOCAL synchronous_commit = local");
            s.execute("SELECT pg_logical_emit_message(true, 'shadowshift', 'flush')");
            side.commit();
        } finally {
            ShortLocks.rollbackQuietly(side);
            side.setAutoCommit(true);
        }
    }

    /** How test_decoding names the table in its output (quote_ident, as the plugin does). */
    static String prefix(Connection c, ShadowNames n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 'table ' || quote_ident(?) || '.' || quote_ident(?) || ': '")) {
            ps.setString(1, n.schema());
            ps.setString(2, n.table());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** PostgreSQL's size notation for settings: 1GB, 512MB, 64kB, or plain bytes. */
    static long bytes(String size) {
        String s = size.strip().toUpperCase(Locale.ROOT).replace(" ", "");
        long unit = 1;
        for (String[] u : new String[][]{{"TB", "1099511627776"}, {"GB", "1073741824"}, {"MB", "1048576"}, {"KB", "1024"}, {"B", "1"}}) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length());
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(s), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a size: '" + size + "' (expected e.g. 1GB, 512MB or a number of bytes)");
        }
    }

    private static String quoteLiteral(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static void sleep(long ms) throws SQLException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while dropping a replication slot", "57014", e);
        }
    }
}
