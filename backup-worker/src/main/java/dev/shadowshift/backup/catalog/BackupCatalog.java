package dev.shadowshift.backup.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.shadowshift.backup.catalog.BackupEntry.Status;
import dev.shadowshift.backup.catalog.BackupEntry.Trigger;
import dev.shadowshift.contracts.EventCodec;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The backups table: every change of a backup's state is one statement here. */
@ApplicationScoped
public class BackupCatalog {

    private static final String COLUMNS = "backup_id, plan_id, target, trigger, tables, whole_database, table_rows::text, location, "
            + "format, size_bytes, sha256, archive_entries, status, reason, pinned, plan_pinned_until, plan_strategy, created_at, "
            + "finished_at, verified_at, corrupt_at, expires_at, dump_seconds, verify_seconds, last_verify_error";
    private static final TypeReference<List<TableCount>> ROWS = new TypeReference<>() {
    };

    private final DataSource dataSource;

    public BackupCatalog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** What a backup is before it runs. {@code tables} is null for the whole database. */
    public record NewBackup(String backupId, String planId, String target, Trigger trigger, List<String> tables, String format,
                            OffsetDateTime planPinnedUntil, String planStrategy) {
    }

    /** @return false if the backup (or the plan's backup) is catalogued already; nothing changes then */
    public boolean insertRunning(Connection c, NewBackup b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO backups(backup_id, plan_id, target, trigger, tables, "
                + "whole_database, format, status, plan_pinned_until, plan_strategy) VALUES (?, ?, ?, ?, ?, ?, ?, 'RUNNING', ?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            ps.setString(1, b.backupId());
            ps.setString(2, b.planId());
            ps.setString(3, b.target());
            ps.setString(4, b.trigger().name());
            ps.setArray(5, c.createArrayOf("text", b.tables() == null ? new String[0] : b.tables().toArray()));
            ps.setBoolean(6, b.tables() == null);
            ps.setString(7, b.format());
            ps.setObject(8, b.planPinnedUntil());
            ps.setString(9, b.planStrategy());
            return ps.executeUpdate() == 1;
        }
    }

    public boolean insertRunning(NewBackup b) throws SQLException {
        try (Connection c = connection()) {
            return insertRunning(c, b);
        }
    }

    public Optional<BackupEntry> find(String backupId) throws SQLException {
        return one("backup_id", backupId);
    }

    public Optional<BackupEntry> findByPlan(String planId) throws SQLException {
        return one("plan_id", planId);
    }

    /** Newest first; each filter is optional. */
    public List<BackupEntry> list(String target, String planId, Status status, int limit) throws SQLException {
        return select("WHERE (?::text IS NULL OR target = ?) AND (?::text IS NULL OR plan_id = ?) AND (?::text IS NULL OR status = ?) "
                + "ORDER BY created_at DESC, backup_id LIMIT ?", target, target, planId, planId,
                status == null ? null : status.name(), status == null ? null : status.name(), limit);
    }

    /** A target's backups that have an archive (VERIFIED or CORRUPT): what retention decides about. */
    public List<BackupEntry> archives(String target) throws SQLException {
        return select("WHERE target = ? AND status IN ('VERIFIED', 'CORRUPT') AND location IS NOT NULL "
                + "ORDER BY created_at DESC, backup_id", target);
    }

    public List<BackupEntry> running() throws SQLException {
        return select("WHERE status = 'RUNNING' ORDER BY created_at");
    }

    public boolean runningFor(String target, Trigger trigger) throws SQLException {
        return !select("WHERE status = 'RUNNING' AND target = ? AND trigger = ? LIMIT 1", target, trigger.name()).isEmpty();
    }

    /** VERIFIED backups whose last verification is older than {@code before}, the longest unverified first. */
    public List<BackupEntry> dueForReverification(OffsetDateTime before) throws SQLException {
        return select("WHERE status = 'VERIFIED' AND coalesce(verified_at, created_at) < ? ORDER BY coalesce(verified_at, created_at)",
                before);
    }

    /** pg_dump wrote the archive and it is published; the verification comes next. */
    public void markDumped(String backupId, List<String> tables, String location, long sizeBytes, String sha256, int archiveEntries,
                           List<TableCount> rows, double dumpSeconds, OffsetDateTime expiresAt) throws SQLException {
        update("UPDATE backups SET tables = ?, location = ?, size_bytes = ?, sha256 = ?, archive_entries = ?, table_rows = ?::jsonb, "
                + "dump_seconds = ?, expires_at = ? WHERE backup_id = ? AND status = 'RUNNING'",
                (Bind) c -> c.createArrayOf("text", tables.toArray()), location, sizeBytes, sha256, archiveEntries, json(rows), dumpSeconds,
                expiresAt, backupId);
    }

    public void markVerified(String backupId, List<TableCount> rows, double verifySeconds, OffsetDateTime at) throws SQLException {
        update("UPDATE backups SET status = 'VERIFIED', reason = NULL, table_rows = ?::jsonb, verify_seconds = ?, verified_at = ?, "
                + "finished_at = coalesce(finished_at, ?), corrupt_at = NULL, last_verify_error = NULL "
                + "WHERE backup_id = ? AND status IN ('RUNNING', 'VERIFIED', 'CORRUPT')",
                json(rows), verifySeconds, at, at, backupId);
    }

    /** @return true if it was not CORRUPT before (so the news goes out once) */
    public boolean markCorrupt(String backupId, String reason, List<TableCount> rows, double verifySeconds, OffsetDateTime at)
            throws SQLException {
        return update("UPDATE backups SET status = 'CORRUPT', reason = ?, table_rows = ?::jsonb, verify_seconds = ?, "
                + "finished_at = coalesce(finished_at, ?), corrupt_at = ?, last_verify_error = NULL "
                + "WHERE backup_id = ? AND status IN ('RUNNING', 'VERIFIED')",
                reason, json(rows), verifySeconds, at, at, backupId) == 1;
    }

    public boolean markFailed(String backupId, String reason, OffsetDateTime at) throws SQLException {
        return update("UPDATE backups SET status = 'FAILED', reason = ?, location = NULL, finished_at = ? "
                + "WHERE backup_id = ? AND status = 'RUNNING'", reason, at, backupId) == 1;
    }

    /** A re-verification could not run: the backup keeps its status, and the reason is shown. */
    public void verificationNotRun(String backupId, String reason) throws SQLException {
        update("UPDATE backups SET last_verify_error = ? WHERE backup_id = ?", reason, backupId);
    }

    public boolean markExpired(String backupId, String reason) throws SQLException {
        return update("UPDATE backups SET status = 'EXPIRED', reason = ? WHERE backup_id = ? AND status IN ('VERIFIED', 'CORRUPT')",
                reason, backupId) == 1;
    }

    public boolean pin(String backupId, boolean pinned) throws SQLException {
        return update("UPDATE backups SET pinned = ? WHERE backup_id = ?", pinned, backupId) == 1;
    }

    /** The plan's rollback window closed: its backup is no longer kept for it. */
    public boolean releasePlanPin(String planId) throws SQLException {
        return update("UPDATE backups SET plan_pinned_until = NULL WHERE plan_id = ? AND plan_pinned_until IS NOT NULL", planId) == 1;
    }

    /** The plan is still going: its backup stays pinned at least until {@code until}. */
    public void extendPlanPin(String planId, OffsetDateTime until) throws SQLException {
        update("UPDATE backups SET plan_pinned_until = greatest(plan_pinned_until, ?) WHERE plan_id = ? AND plan_pinned_until IS NOT NULL",
                until, planId);
    }

    /** How many backups of a target are in each status, and when its newest verification succeeded. */
    public record TargetStats(Map<Status, Long> counts, OffsetDateTime lastVerified) {
    }

    public TargetStats stats(String target) throws SQLException {
        Map<Status, Long> counts = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            counts.put(s, 0L);
        }
        OffsetDateTime lastVerified = null;
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT status, count(*), max(verified_at) FILTER (WHERE status = 'VERIFIED') "
                     + "FROM backups WHERE target = ? GROUP BY status")) {
            ps.setString(1, target);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(Status.valueOf(rs.getString(1)), rs.getLong(2));
                    OffsetDateTime at = rs.getObject(3, OffsetDateTime.class);
                    if (at != null) {
                        lastVerified = at;
                    }
                }
            }
        }
        return new TargetStats(counts, lastVerified);
    }

    private static final String KEY = "hashtextextended('shadowshift-backup:' || ?, 0)";

    /**
     * A session advisory lock on one backup, held by a connection of its own while a run, a verification, a restore
     * or a removal works on it: two of them never touch one backup at once, across threads and worker instances, and
     * a RUNNING row whose lock nobody holds was left by a worker that stopped (its sessions ended with it).
     */
    public Optional<Lock> tryLock(String backupId) throws SQLException {
        return tryLock(backupId, java.time.Duration.ZERO);
    }

    /** {@link #tryLock(String)}, waiting up to {@code wait} for a holder that is about to let go (a run announcing its outcome). */
    public Optional<Lock> tryLock(String backupId, java.time.Duration wait) throws SQLException {
        Connection c = connection();
        boolean locked = false;
        try (Statement s = c.createStatement()) {
            if (wait.isZero()) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(" + KEY + ")")) {
                    ps.setString(1, backupId);
                    try (ResultSet rs = ps.executeQuery()) {
                        locked = rs.next() && rs.getBoolean(1);
                    }
                }
            } else {
                s.execute("SET lock_timeout = " + Math.max(1, wait.toMillis()));
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(" + KEY + ")")) {
                    ps.setString(1, backupId);
                    ps.execute();
                    locked = true;
                } catch (SQLException e) {
                    if (!"55P03".equals(e.getSQLState())) {
                        throw e;
                    }
                } finally {
                    s.execute("RESET lock_timeout");
                }
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        if (locked) {
            return Optional.of(new Lock(c, backupId));
        }
        c.close();
        return Optional.empty();
    }

    /** {@link #tryLock}, waiting for whoever holds it (a plan's redelivery waits for the run another worker does). */
    public Lock lock(String backupId) throws SQLException {
        Connection c = connection();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(" + KEY + ")")) {
            ps.setString(1, backupId);
            ps.execute();
            return new Lock(c, backupId);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /** The connection goes back to the pool with its session, so the lock is let go explicitly. */
    public record Lock(Connection connection, String backupId) implements AutoCloseable {
        @Override
        public void close() {
            try (connection; PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(" + KEY + ")")) {
                ps.setString(1, backupId);
                ps.execute();
            } catch (SQLException e) {
                // a broken connection is not pooled again: its session, and the lock, are gone with it
            }
        }
    }

    private Optional<BackupEntry> one(String column, String value) throws SQLException {
        List<BackupEntry> found = select("WHERE " + column + " = ?", value);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private interface Bind {
        Object value(Connection c) throws SQLException;
    }

    private int update(String sql, Object... params) throws SQLException {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(c, ps, params);
            return ps.executeUpdate();
        }
    }

    private List<BackupEntry> select(String where, Object... params) throws SQLException {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM backups " + where)) {
            bind(c, ps, params);
            List<BackupEntry> entries = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(read(rs));
                }
            }
            return entries;
        }
    }

    private static void bind(Connection c, PreparedStatement ps, Object[] params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i] instanceof Bind b ? b.value(c) : params[i];
            if (p == null) {
                ps.setNull(i + 1, Types.NULL);
            } else if (p instanceof Array a) {
                ps.setArray(i + 1, a);
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    private static BackupEntry read(ResultSet rs) throws SQLException {
        Array tables = rs.getArray(5);
        return new BackupEntry(rs.getString(1), rs.getString(2), rs.getString(3), Trigger.valueOf(rs.getString(4)),
                Arrays.asList((String[]) tables.getArray()), rs.getBoolean(6), rows(rs.getString(7)), rs.getString(8),
                rs.getString(9), (Long) rs.getObject(10), rs.getString(11), (Integer) rs.getObject(12), Status.valueOf(rs.getString(13)),
                rs.getString(14), rs.getBoolean(15), rs.getObject(16, OffsetDateTime.class), rs.getString(17),
                rs.getObject(18, OffsetDateTime.class), rs.getObject(19, OffsetDateTime.class), rs.getObject(20, OffsetDateTime.class),
                rs.getObject(21, OffsetDateTime.class), rs.getObject(22, OffsetDateTime.class), (Double) rs.getObject(23),
                (Double) rs.getObject(24), rs.getString(25));
    }

    private static String json(List<TableCount> rows) {
        try {
            return EventCodec.mapper().writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<TableCount> rows(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return EventCodec.mapper().readValue(json, ROWS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable table_rows in the catalog: " + e.getOriginalMessage(), e);
        }
    }
}
