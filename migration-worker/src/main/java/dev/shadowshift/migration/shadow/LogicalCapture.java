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
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Capture through logical decoding, where the server has {@code wal_level=logical}: clients pay nothing, as no
 * trigger runs in their writes. A replication slot ({@code test_decoding}) is created with an exported snapshot;
 * the backfill copies the original as of that snapshot, and every write committed after it comes out of the slot.
 * The worker reads the slot ({@code pg_logical_slot_get_changes}), and writes the keys it finds into the same change
 * log the trigger would fill ({@link ChangeLog}), so applying them, validating and cutting over are one code path
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
                    return Optional.of("wal_level is " + rs.getString(1) + " (logical decoding needs wal_level=logical)");
                }
                if (rs.getInt(2) <= 0) {
                    return Optional.of("every replication slot is in use (max_replication_slots)");
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
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot(n));
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
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_session_reset() WHERE pg_replication_origin_session_is_setup()")) {
                ps.execute();
            }
            for (int attempt = 0; ; attempt++) {
                try (PreparedStatement ps = c.prepareStatement("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
                    ps.setString(1, slot(n));
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
                    ps.setString(1, slot(n));
                    ps.execute();
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
                ps.setString(1, slot(n));
                ps.execute();
            }
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Marks this session's writes with the rebuild's replication origin, so that the slot leaves them out. */
    static void tagOwnWrites(Connection c, ShadowNames n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_create(?) WHERE NOT EXISTS "
                + "(SELECT 1 FROM pg_replication_origin WHERE roname = ?)")) {
            ps.setString(1, slot(n));
            ps.setString(2, slot(n));
            ps.execute();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_session_setup(?) WHERE NOT pg_replication_origin_session_is_setup()")) {
            ps.setString(1, slot(n));
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
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint "
                + "FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot(n));
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
     * Reads up to {@code maxChanges} changes from the slot (whole transactions) and appends the keys of the
     * original's among them to the change log, in one transaction: its own, or the caller's when {@code c} is in one
     * (the cutover's, validation's). The slot only hands out what is flushed to WAL: {@link #flushWal} first.
     * @return the changes read (of every table)
     */
    static long drainOnce(Connection c, ShadowNames n, TableShape shape, String prefix, int maxChanges) throws SQLException, CaptureLost {
        List<Integer> positions = ShadowSql.keyPositions(shape);
        String insert = "INSERT INTO " + n.tool(n.changeLog()) + " (" + ShadowSql.list(positions, i -> "old_" + i) + ", "
                + ShadowSql.list(positions, i -> "new_" + i) + ") VALUES (" + ShadowSql.list(shape.primaryKey(), k -> "?::" + shape.type(k))
                + ", " + ShadowSql.list(shape.primaryKey(), k -> "?::" + shape.type(k)) + ")";
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        long read = 0;
        try (PreparedStatement get = c.prepareStatement("SELECT data FROM pg_logical_slot_get_changes(?, NULL, ?, "
                + "'include-xids', '0', 'skip-empty-xacts', '1', 'only-local', '1')");
             PreparedStatement log = c.prepareStatement(insert)) {
            get.setString(1, slot(n));
            get.setInt(2, maxChanges);
            int batched = 0;
            try (ResultSet rs = get.executeQuery()) {
                while (rs.next()) {
                    read++;
                    TestDecoding.Change change;
                    try {
                        change = TestDecoding.parse(rs.getString(1), prefix, shape.primaryKey());
                    } catch (IllegalArgumentException e) {
                        throw new CaptureLost(e.getMessage());
                    }
                    if (change == null) {
                        continue;
                    }
                    if (change.kind() == TestDecoding.Kind.TRUNCATE) {
                        throw new CaptureLost(n.qualified(n.table()) + " was truncated while it was migrated with logical capture");
                    }
                    int p = 1;
                    for (List<String> key : java.util.Arrays.asList(change.oldKey(), change.newKey())) {
                        for (int i = 0; i < positions.size(); i++) {
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
            if (auto) {
                c.commit();
            }
            return read;
        } finally {
            if (auto) {
                ShortLocks.rollbackQuietly(c);
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * Makes every commit so far durable in WAL, on a session of its own: the slot decodes only up to the flushed
     * position, and clients with synchronous_commit=off leave their last commits unflushed for up to
     * wal_writer_delay. One transaction that takes a transaction id and commits synchronously flushes them all.
     */
    static void flushWal(Connection side) throws SQLException {
        side.setAutoCommit(false);
        try (Statement s = side.createStatement()) {
            s.execute("SET LOCAL synchronous_commit = on");
            s.execute("SELECT pg_current_xact_id()");
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
