package dev.shadowshift.migration.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.migration.plan.Plan;
import dev.shadowshift.migration.plan.PlanControl;
import dev.shadowshift.migration.plan.PlanState;
import dev.shadowshift.migration.plan.PlanTransition;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.plan.StepOperation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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
 * The migration_plans table. Every change of state is a {@link PlanTransition} applied as a compare-and-set
 * ({@code WHERE status = ANY(from)}), so that a redelivered or late event can never move a plan backwards.
 */
@ApplicationScoped
public class PlanStore {

    private static final String COLUMNS = "plan_id, spec_event_id, status::text, backup_id, plan::text, steps_done, steps_total, "
            + "error, hold_reason, created_at, updated_at, started_at, finished_at";

    private final DataSource dataSource;
    private final PlanListener listener;

    /** Without a listener: the CLI's, which serves no metrics. */
    public PlanStore(DataSource dataSource) {
        this(dataSource, PlanListener.NONE);
    }

    @Inject
    public PlanStore(DataSource dataSource, PlanListener listener) {
        this.dataSource = dataSource;
        this.listener = listener;
    }

    public PlanListener listener() {
        return listener;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** @return false if the plan id already exists (a redelivery raced us) */
    public boolean insert(Connection c, String specEventId, Plan plan) throws SQLException {
        MigrationPlanned p = plan.announced();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO migration_plans(plan_id, spec_event_id, subject, version, target, schema_name, status,
                                            requires_backup, plan, steps_total, shadow_rebuilds, operations, hold_reason)
                VALUES (?, ?, ?, ?, ?, ?, ?::plan_state, ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, ?)
                ON CONFLICT (plan_id) DO NOTHING""")) {
            ps.setString(1, p.planId());
            ps.setString(2, specEventId);
            ps.setString(3, p.subject());
            ps.setInt(4, p.version());
            ps.setString(5, p.target());
            ps.setString(6, p.schema());
            ps.setString(7, plan.state().name());
            ps.setBoolean(8, p.requiresBackup());
            ps.setString(9, json(p));
            ps.setInt(10, p.steps().size());
            ps.setString(11, json(plan.rebuilds()));
            ps.setString(12, json(plan.operations()));
            ps.setString(13, plan.holdReason());
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
            List<StoredPlan> plans = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plans.add(read(rs));
                }
            }
            return plans;
        }
    }

    /** Plans a runner should pick up: an interrupted process left them, or another instance that owned them died. */
    public List<String> resumable() throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT plan_id FROM migration_plans WHERE status = ANY(?::plan_state[]) ORDER BY created_at")) {
            ps.setArray(1, c.createArrayOf("text", PlanState.RUNNABLE.stream().map(Enum::name).toArray()));
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        }
    }

    /**
     * Applies a transition if the plan is in one of its start states; APPROVE leads to AWAITING_BACKUP while a
     * required backup is missing. FAIL records the error, finished ones their end time; any control request is cleared.
     *
     * @return the new state, or empty when the plan was not in a state the transition starts from (nothing changed)
     */
    public Optional<PlanState> transition(Connection c, String planId, PlanTransition t, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE migration_plans SET
                    status = (CASE WHEN ? AND requires_backup AND backup_id IS NULL THEN ? ELSE ? END)::plan_state,
                    control = NULL, updated_at = now(),
                    error = CASE WHEN ? IS NOT NULL THEN ? ELSE error END,
                    approved_at = CASE WHEN ? THEN now() ELSE approved_at END,
                    started_at = CASE WHEN ? THEN coalesce(started_at, now()) ELSE started_at END,
                    finished_at = CASE WHEN ? THEN now() ELSE finished_at END
                WHERE plan_id = ? AND status = ANY(?::plan_state[]) RETURNING status::text, target""")) {
            boolean approve = t == PlanTransition.APPROVE;
            ps.setBoolean(1, approve);
            ps.setString(2, t.toWithoutBackup().name());
            ps.setString(3, t.to().name());
            ps.setString(4, error);
            ps.setString(5, error);
            ps.setBoolean(6, approve);
            ps.setBoolean(7, t == PlanTransition.START);
            ps.setBoolean(8, t.to().finished());
            ps.setString(9, planId);
            ps.setArray(10, c.createArrayOf("text", t.from().stream().map(Enum::name).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                PlanState now = PlanState.valueOf(rs.getString(1));
                listener.entered(rs.getString(2), now);
                return Optional.of(now);
            }
        }
    }

    public Optional<PlanState> transition(String planId, PlanTransition t, String error) throws SQLException {
        try (Connection c = connection()) {
            return transition(c, planId, t, error);
        }
    }

    public Optional<PlanState> transition(String planId, PlanTransition t) throws SQLException {
        return transition(planId, t, null);
    }

    public void recordProgress(String planId, int stepsDone) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE migration_plans SET steps_done = ?, updated_at = now() WHERE plan_id = ? AND status = 'RUNNING'::plan_state")) {
            ps.setInt(1, stepsDone);
            ps.setString(2, planId);
            ps.executeUpdate();
        }
    }

    /** The plan's backup was found CORRUPT: the plan holds no verified backup any more (the shadow gate checks for one). */
    public boolean revokeBackup(Connection c, String planId, String backupId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE migration_plans SET backup_id = NULL, updated_at = now() WHERE plan_id = ? AND backup_id = ?")) {
            ps.setString(1, planId);
            ps.setString(2, backupId);
            return ps.executeUpdate() == 1;
        }
    }

    /** The verified backup of a plan, recorded while it waits for it or for approval; approval then needs no other. */
    public void recordBackup(Connection c, String planId, String backupId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE migration_plans SET backup_id = ?, updated_at = now()
                WHERE plan_id = ? AND status = ANY('{AWAITING_BACKUP,AWAITING_APPROVAL}'::plan_state[])""")) {
            ps.setString(1, backupId);
            ps.setString(2, planId);
            ps.executeUpdate();
        }
    }

    public List<ShadowRebuild> rebuilds(String planId) throws SQLException {
        return List.of(column(planId, "shadow_rebuilds", ShadowRebuild[].class));
    }

    public List<StepOperation> operations(String planId) throws SQLException {
        return List.of(column(planId, "operations", StepOperation[].class));
    }

    private <T> T[] column(String planId, String column, Class<T[]> type) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + column + "::text FROM migration_plans WHERE plan_id = ?")) {
            ps.setString(1, planId);
            try (ResultSet rs = ps.executeQuery()) {
                return EventCodec.mapper().readValue(rs.next() ? rs.getString(1) : "[]", type);
            } catch (JsonProcessingException e) {
                throw new SQLException("plan " + planId + " holds unreadable " + column + ": " + e.getOriginalMessage(), e);
            }
        }
    }

    /** What an operator asked of the running plan, if anything. */
    public Optional<PlanControl> control(String planId) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT control::text FROM migration_plans WHERE plan_id = ?")) {
            ps.setString(1, planId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? Optional.of(PlanControl.valueOf(rs.getString(1))) : Optional.empty();
            }
        }
    }

    /** Asks a running plan to stop at its next boundary. */
    public boolean requestControl(String planId, PlanControl control) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE migration_plans SET control = ?::plan_control, updated_at = now() WHERE plan_id = ? AND status = 'RUNNING'::plan_state")) {
            ps.setString(1, control.name());
            ps.setString(2, planId);
            return ps.executeUpdate() == 1;
        }
    }

    private static StoredPlan read(ResultSet rs) throws SQLException {
        MigrationPlanned plan;
        try {
            plan = EventCodec.mapper().readValue(rs.getString(5), MigrationPlanned.class);
        } catch (JsonProcessingException e) {
            throw new SQLException("plan " + rs.getString(1) + " holds unreadable JSON: " + e.getOriginalMessage(), e);
        }
        return new StoredPlan(rs.getString(1), rs.getString(2), PlanState.valueOf(rs.getString(3)), rs.getString(4), plan,
                rs.getInt(6), rs.getInt(7), rs.getString(8), rs.getString(9), rs.getObject(10, OffsetDateTime.class),
                rs.getObject(11, OffsetDateTime.class), rs.getObject(12, OffsetDateTime.class), rs.getObject(13, OffsetDateTime.class));
    }

    private static String json(Object value) {
        try {
            return EventCodec.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }
}
