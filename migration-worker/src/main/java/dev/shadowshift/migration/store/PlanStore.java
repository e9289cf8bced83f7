package dev.shadowshift.migration.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.migration.plan.ShadowRebuild;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The migration_plans table. Status changes are compare-and-set ({@code WHERE status = ANY(expected)}) so that a
 * redelivered or late event can never move a plan backwards, e.g. fail a plan that already completed.
 */
@ApplicationScoped
public class PlanStore {

    private static final String COLUMNS = "plan_id, spec_event_id, status, backup_id, plan::text, steps_done, steps_total, "
            + "error, created_at, updated_at, started_at, finished_at";

    private final DataSource dataSource;

    public PlanStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** @return false if the plan id already exists (a redelivery raced us) */
    public boolean insert(Connection c, String specEventId, MigrationPlanned plan) throws SQLException {
        return insert(c, specEventId, plan, List.of());
    }

    /** @param rebuilds the shadow rebuilds the plan's SHADOW_TABLE steps stand for */
    public boolean insert(Connection c, String specEventId, MigrationPlanned plan, List<ShadowRebuild> rebuilds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO migration_plans(plan_id, spec_event_id, subject, version, target, schema_name, status,
                                            requires_backup, plan, steps_total, shadow_rebuilds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb)
                ON CONFLICT (plan_id) DO NOTHING""")) {
            ps.setString(11, json(rebuilds));
            ps.setString(1, plan.planId());
            ps.setString(2, specEventId);
            ps.setString(3, plan.subject());
            ps.setInt(4, plan.version());
            ps.setString(5, plan.target());
            ps.setString(6, plan.schema());
            ps.setString(7, plan.status());
            ps.setBoolean(8, plan.requiresBackup());
            ps.setString(9, json(plan));
            ps.setInt(10, plan.steps().size());
            return ps.executeUpdate() == 1;
        }
    }

    public Optional<StoredPlan> find(String planId) throws SQLException {
        try (Connection c = connection()) {
            return find(c, planId, false);
        }
    }

    /** @param forUpdate lock the row for the caller's transaction, so two deliveries cannot both act on it */
    public Optional<StoredPlan> find(Connection c, String planId, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM migration_plans WHERE plan_id = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, planId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public List<StoredPlan> list(int limit) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                     + " FROM migration_plans ORDER BY created_at DESC, plan_id LIMIT ?")) {
            ps.setInt(1, limit);
            return readAll(ps);
        }
    }

    /** Plans an interrupted process left behind: they are resumed at startup. */
    public List<String> resumable() throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT plan_id FROM migration_plans WHERE status IN ('READY', 'RUNNING') ORDER BY created_at")) {
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }

    /** The backup arrived: the plan may run. */
    public boolean markBackedUp(Connection c, String planId, String backupId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE migration_plans SET status = 'READY', backup_id = ?, updated_at = now()
                WHERE plan_id = ? AND status = 'AWAITING_BACKUP'""")) {
            ps.setString(1, backupId);
            ps.setString(2, planId);
            return ps.executeUpdate() == 1;
        }
    }

    public boolean markRunning(String planId) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE migration_plans SET status = 'RUNNING', started_at = coalesce(started_at, now()), updated_at = now()
                     WHERE plan_id = ? AND status IN ('READY', 'RUNNING')""")) {
            ps.setString(1, planId);
            return ps.executeUpdate() == 1;
        }
    }

    public void recordProgress(String planId, int stepsDone) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE migration_plans SET steps_done = ?, updated_at = now() WHERE plan_id = ? AND status = 'RUNNING'")) {
            ps.setInt(1, stepsDone);
            ps.setString(2, planId);
            ps.executeUpdate();
        }
    }

    public void markCompleted(String planId, int stepsDone) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE migration_plans SET status = 'COMPLETED', steps_done = ?, error = NULL, finished_at = now(),
                            updated_at = now()
                     WHERE plan_id = ? AND status = 'RUNNING'""")) {
            ps.setInt(1, stepsDone);
            ps.setString(2, planId);
            ps.executeUpdate();
        }
    }

    /** @return false when the plan was not in one of the expected states (then nothing changed) */
    public boolean markFailed(Connection c, String planId, List<String> expectedStatuses, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE migration_plans SET status = 'FAILED', error = ?, finished_at = now(), updated_at = now()
                WHERE plan_id = ? AND status = ANY(?)""")) {
            ps.setString(1, error);
            ps.setString(2, planId);
            ps.setArray(3, c.createArrayOf("text", expectedStatuses.toArray()));
            return ps.executeUpdate() == 1;
        }
    }

    public boolean markFailed(String planId, List<String> expectedStatuses, String error) throws SQLException {
        try (Connection c = connection()) {
            return markFailed(c, planId, expectedStatuses, error);
        }
    }

    private static List<StoredPlan> readAll(PreparedStatement ps) throws SQLException {
        List<StoredPlan> plans = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                plans.add(read(rs));
            }
        }
        return plans;
    }

    private static StoredPlan read(ResultSet rs) throws SQLException {
        MigrationPlanned plan;
        try {
            plan = EventCodec.mapper().readValue(rs.getString(5), MigrationPlanned.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("plan " + rs.getString(1) + " holds unreadable JSON: " + e.getOriginalMessage(), e);
        }
        return new StoredPlan(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), plan, rs.getInt(6),
                rs.getInt(7), rs.getString(8), rs.getObject(9, OffsetDateTime.class), rs.getObject(10, OffsetDateTime.class),
                rs.getObject(11, OffsetDateTime.class), rs.getObject(12, OffsetDateTime.class));
    }

    private static String json(Object value) {
        try {
            return EventCodec.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public List<ShadowRebuild> rebuilds(String planId) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT shadow_rebuilds::text FROM migration_plans WHERE plan_id = ?")) {
            ps.setString(1, planId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return List.of();
                }
                return List.of(EventCodec.mapper().readValue(rs.getString(1), ShadowRebuild[].class));
            } catch (JsonProcessingException e) {
                throw new SQLException("plan " + planId + " holds unreadable shadow rebuilds: " + e.getOriginalMessage(), e);
            }
        }
    }

    /** PAUSE or CANCEL when a REST call asked the running plan to stop, else null. */
    public String control(String planId) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT control FROM migration_plans WHERE plan_id = ?")) {
            ps.setString(1, planId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Compare-and-set of the status (and the control request).
     *
     * @return false when the plan was not in one of {@code from}
     */
    public boolean transition(String planId, List<String> from, String to, String control) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE migration_plans SET status = ?, control = ?, updated_at = now(),
                            finished_at = CASE WHEN ? IN ('COMPLETED', 'FAILED', 'CANCELLED', 'ROLLED_BACK') THEN now() ELSE finished_at END
                     WHERE plan_id = ? AND status = ANY(?)""")) {
            ps.setString(1, to);
            ps.setString(2, control);
            ps.setString(3, to);
            ps.setString(4, planId);
            ps.setArray(5, c.createArrayOf("text", from.toArray()));
            return ps.executeUpdate() == 1;
        }
    }

    /** Asks a running plan to stop at its next boundary. */
    public boolean requestControl(String planId, String control) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE migration_plans SET control = ?, updated_at = now() WHERE plan_id = ? AND status = 'RUNNING'")) {
            ps.setString(1, control);
            ps.setString(2, planId);
            return ps.executeUpdate() == 1;
        }
    }

    /** Approval releases a plan held for its destructive steps: to READY, or to AWAITING_BACKUP while its backup is missing. */
    public Optional<String> approve(String planId) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE migration_plans SET approved_at = now(), updated_at = now(),
                            status = CASE WHEN requires_backup AND backup_id IS NULL THEN 'AWAITING_BACKUP' ELSE 'READY' END
                     WHERE plan_id = ? AND status = 'AWAITING_APPROVAL' AND steps_total > 0 RETURNING status""")) {
            ps.setString(1, planId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** The plan's backup turned out CORRUPT: the plan holds no verified backup any more (the shadow gate checks for one). */
    public boolean revokeBackup(Connection c, String planId, String backupId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE migration_plans SET backup_id = NULL, updated_at = now() WHERE plan_id = ? AND backup_id = ?")) {
            ps.setString(1, planId);
            ps.setString(2, backupId);
            return ps.executeUpdate() == 1;
        }
    }

    /** A backup that arrives while the plan still waits for approval is recorded; approval then needs no other. */
    public boolean recordBackupWhileAwaitingApproval(Connection c, String planId, String backupId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE migration_plans SET backup_id = ?, updated_at = now() WHERE plan_id = ? AND status = 'AWAITING_APPROVAL'""")) {
            ps.setString(1, backupId);
            ps.setString(2, planId);
            return ps.executeUpdate() == 1;
        }
    }
}
