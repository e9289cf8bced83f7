package dev.shadowshift.migration.shadow;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The shadow_migrations table: each checkpoint is one committed UPDATE, written after the target change it records. */
@ApplicationScoped
public class ShadowStore {

    private static final String COLUMNS = "plan_id, schema_name, table_name, phase, shadow_table, rollback_table, preflight::text, "
            + "high_water_mark, last_key, rows_copied, rows_total, batch_size, reverse_sync, cut_over_at, rollback_until, error";

    private final DataSource dataSource;

    public ShadowStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates the checkpoint row unless a previous run did; returns the current one either way. */
    public ShadowCheckpoint begin(String planId, ShadowNames n) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO shadow_migrations(plan_id, schema_name, table_name, phase, shadow_table, rollback_table)
                     VALUES (?, ?, ?, 'NEW', ?, ?) ON CONFLICT (plan_id, table_name) DO NOTHING""")) {
            ps.setString(1, planId);
            ps.setString(2, n.schema());
            ps.setString(3, n.table());
            ps.setString(4, n.shadow());
            ps.setString(5, n.rollback());
            ps.executeUpdate();
        }
        return find(planId, n.table()).orElseThrow();
    }

    public Optional<ShadowCheckpoint> find(String planId, String table) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM shadow_migrations WHERE plan_id = ? AND table_name = ?")) {
            ps.setString(1, planId);
            ps.setString(2, table);
            List<ShadowCheckpoint> found = readAll(ps);
            return found.stream().findFirst();
        }
    }

    public List<ShadowCheckpoint> forPlan(String planId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM shadow_migrations WHERE plan_id = ? ORDER BY created_at, table_name")) {
            ps.setString(1, planId);
            return readAll(ps);
        }
    }

    /** Open rollback windows: their slots are drained and checked. */
    public List<ShadowCheckpoint> openWindows() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                     + " FROM shadow_migrations WHERE phase = 'CUT_OVER' ORDER BY rollback_until")) {
            return readAll(ps);
        }
    }

    /**
     * Closes a rollback window before its time (its slot held back too much WAL): it ends now, with the reason, and
     * the next look at expired windows drops what it kept.
     */
    public void closeWindowEarly(String planId, String table, String reason) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE shadow_migrations SET rollback_until = least(rollback_until, now()), error = ?, updated_at = now()
                     WHERE plan_id = ? AND table_name = ? AND phase = 'CUT_OVER'""")) {
            ps.setString(1, reason);
            ps.setString(2, planId);
            ps.setString(3, table);
            ps.executeUpdate();
        }
    }

    /** Rollback windows whose time is up (or that were closed early). */
    public List<ShadowCheckpoint> expired() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                     + " FROM shadow_migrations WHERE phase = 'CUT_OVER' AND rollback_until <= now() ORDER BY rollback_until")) {
            return readAll(ps);
        }
    }

    /** Rebuilds that never finished although their plan did (FAILED, CANCELLED): their shadow objects must go. */
    public List<ShadowCheckpoint> leftovers() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS.replaceAll("(^|, )", "$1s.")
                     + " FROM shadow_migrations s JOIN migration_plans p ON p.plan_id = s.plan_id"
                     + " WHERE s.phase NOT IN ('CUT_OVER', 'CLEANED', 'ROLLED_BACK', 'ABANDONED') AND p.status IN ('FAILED', 'CANCELLED')")) {
            return readAll(ps);
        }
    }

    public void phase(String planId, String table, String phase) throws SQLException {
        update(planId, table, "phase = ?", phase);
    }

    public void preflight(String planId, String table, String json) throws SQLException {
        update(planId, table, "preflight = ?::jsonb, phase = 'PREPARED'", json);
    }

    public void highWaterMark(String planId, String table, List<String> hwm, long rowsTotal) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE shadow_migrations SET high_water_mark = ?, rows_total = ?, last_key = NULL, rows_copied = 0,
                            phase = 'BACKFILLING', updated_at = now() WHERE plan_id = ? AND table_name = ?""")) {
            ps.setArray(1, hwm == null ? null : c.createArrayOf("text", hwm.toArray()));
            ps.setLong(2, rowsTotal);
            ps.setString(3, planId);
            ps.setString(4, table);
            ps.executeUpdate();
        }
    }

    public void batch(String planId, String table, List<String> lastKey, long rowsCopied, int batchSize) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE shadow_migrations SET last_key = ?, rows_copied = ?, batch_size = ?, updated_at = now()
                     WHERE plan_id = ? AND table_name = ?""")) {
            ps.setArray(1, c.createArrayOf("text", lastKey.toArray()));
            ps.setLong(2, rowsCopied);
            ps.setInt(3, batchSize);
            ps.setString(4, planId);
            ps.setString(5, table);
            ps.executeUpdate();
        }
    }

    /**
     * The cutover committed: the rollback window opens for {@code window}.
     * @param captured true when writes to the rebuilt table are captured for a rollback (column reverse_sync)
     */
    public void cutOver(String planId, String table, Duration window, boolean captured) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE shadow_migrations SET phase = 'CUT_OVER', cut_over_at = coalesce(cut_over_at, now()),
                            rollback_until = coalesce(rollback_until, now() + make_interval(secs => ?)), reverse_sync = ?,
                            updated_at = now()
                     WHERE plan_id = ? AND table_name = ?""")) {
            ps.setDouble(1, Math.max(0, window.toMillis()) / 1000.0);
            ps.setBoolean(2, captured);
            ps.setString(3, planId);
            ps.setString(4, table);
            ps.executeUpdate();
        }
    }

    public void error(String planId, String table, String error) throws SQLException {
        update(planId, table, "error = ?", error);
    }

    private void update(String planId, String table, String set, String value) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE shadow_migrations SET " + set
                     + ", updated_at = now() WHERE plan_id = ? AND table_name = ?")) {
            ps.setString(1, value);
            ps.setString(2, planId);
            ps.setString(3, table);
            ps.executeUpdate();
        }
    }

    private static List<ShadowCheckpoint> readAll(PreparedStatement ps) throws SQLException {
        List<ShadowCheckpoint> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new ShadowCheckpoint(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), texts(rs.getArray(8)), texts(rs.getArray(9)),
                        rs.getLong(10), (Long) rs.getObject(11), (Integer) rs.getObject(12), rs.getBoolean(13),
                        rs.getObject(14, OffsetDateTime.class), rs.getObject(15, OffsetDateTime.class), rs.getString(16)));
            }
        }
        return out;
    }

    private static List<String> texts(Array a) throws SQLException {
        return a == null ? null : Arrays.asList((String[]) a.getArray());
    }
}
