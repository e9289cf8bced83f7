package dev.shadowshift.migration.flow;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.contracts.events.ProgressStatus;
import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.plan.PlanControl;
import dev.shadowshift.migration.plan.PlanState;
import dev.shadowshift.migration.plan.PlanTransition;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.plan.StepOperation;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowFailure;
import dev.shadowshift.migration.shadow.TableBusy;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.migration.support.Announcements;
import dev.shadowshift.migration.support.Backoff;
import dev.shadowshift.migration.support.SqlErrors;
import dev.shadowshift.operations.Operation;
import dev.shadowshift.pg.TargetDatabases;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one plan: unit by unit (one table per transaction, a CONCURRENTLY statement on its own, a table's shadow
 * rebuild as one), each in-place step rendered by its operation from the stored typed change, retrying a unit whose
 * lock cannot be had within lock_timeout, recording steps_done after each commit so that a restarted worker resumes
 * where this one stopped, and announcing STARTED, RUNNING and COMPLETED or FAILED.
 *
 * <p>A run owns its plan through a session advisory lock in the state database, for in-place plans too: two worker
 * instances (or a worker and the CLI) never run one plan at once, and a dead owner's lock goes with its session.
 */
@ApplicationScoped
public class PlanExecution {

    private static final Logger LOG = Logger.getLogger(PlanExecution.class);
    static final String PHASE = ChangePath.IN_PLACE.name();

    private final PlanStore store;
    private final TargetDatabases targets;
    private final Announcements publisher;
    private final MigrationConfig config;
    private final ShadowEngine shadow;

    public PlanExecution(PlanStore store, TargetDatabases targets, Announcements publisher, MigrationConfig config, ShadowEngine shadow) {
        this.store = store;
        this.targets = targets;
        this.publisher = publisher;
        this.config = config;
        this.shadow = shadow;
    }

    /** Consecutive steps committed together: one table's in-place steps, a CONCURRENTLY statement, or a shadow rebuild. */
    record Unit(String table, List<PlanStep> steps, boolean shadow, boolean outsideTransaction) {
        int lastOrder() {
            return steps.get(steps.size() - 1).order();
        }
    }

    static List<Unit> units(List<PlanStep> steps, Map<Integer, Operation> operations) {
        List<Unit> units = new ArrayList<>();
        List<PlanStep> current = new ArrayList<>();
        String table = null;
        boolean shadowRun = false;
        for (PlanStep step : steps) {
            boolean isShadow = step.path() == ChangePath.SHADOW_TABLE;
            Operation op = operations.get(step.order());
            boolean alone = !isShadow && (op.outsideTransaction() || op.change().kind() == ChangeKind.CREATE_SCHEMA);
            if (!current.isEmpty() && (alone || isShadow != shadowRun || !java.util.Objects.equals(step.table(), table))) {
                units.add(new Unit(table, current, shadowRun, false));
                current = new ArrayList<>();
            }
            if (alone) {
                units.add(new Unit(step.table(), List.of(step), false, op.outsideTransaction()));
                continue;
            }
            current.add(step);
            table = step.table();
            shadowRun = isShadow;
        }
        if (!current.isEmpty()) {
            units.add(new Unit(table, current, shadowRun, false));
        }
        return units;
    }

    /**
     * @throws PlanBusy    another process owns the plan
     * @throws SQLException when the state database fails: the plan stays RUNNING and the caller tries again later
     */
    public void run(String planId) throws SQLException, InterruptedException, PlanBusy {
        try (Connection owner = store.connection()) {
            if (!own(owner, planId)) {
                throw new PlanBusy(planId);
            }
            runOwned(planId);
        }
        // closing the owner's session released the lock, also when we crash
    }

    private static boolean own(Connection c, String planId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
            ps.setString(1, "shadowshift-plan:" + planId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void runOwned(String planId) throws SQLException, InterruptedException, PlanBusy {
        Optional<StoredPlan> found = store.find(planId);
        if (found.isEmpty() || !PlanState.RUNNABLE.contains(found.get().state())) {
            LOG.debugf("plan %s is not runnable (%s)", planId, found.map(StoredPlan::state).orElse(null));
            return;
        }
        if (store.transition(planId, PlanTransition.START).isEmpty()) {
            return;
        }
        StoredPlan stored = found.get();
        MigrationPlanned plan = stored.plan();
        int total = plan.steps().size();
        int done = stored.stepsDone();
        String where = plan.target() + "/" + plan.schema();
        // started_at is set by the first START: a plan that has it was interrupted (crash, restart, pause)
        boolean resumed = stored.startedAt() != null;
        String startMessage = resumed
                ? "resuming " + (done > 0 ? "after step " + done : "at step " + (done + 1)) + " of " + total + " on " + where
                + " (strategy " + plan.strategy() + ")"
                : "applying " + total + " steps to " + where + " (strategy " + plan.strategy() + ")";
        LOG.infof("plan %s: %s", planId, startMessage);
        outcome(plan, ProgressStatus.STARTED, done, startMessage);

        Map<Integer, Operation> operations = new HashMap<>();
        for (StepOperation so : store.operations(planId)) {
            operations.put(so.order(), Operation.of(so.change()));
        }
        long lastReport = System.nanoTime();
        int unitsSinceReport = 0;
        Connection target = null;
        try {
            for (Unit unit : units(plan.steps(), operations)) {
                if (unit.lastOrder() <= done) {
                    continue;
                }
                Optional<PlanControl> control = store.control(planId);
                if (control.isPresent()) {
                    stopOnRequest(stored, control.get(), done);
                    return;
                }
                if (unit.shadow()) {
                    closeQuietly(target);
                    target = null;
                    ShadowEngine.Outcome outcome = shadow.run(new ShadowEngine.Progress(stored, done, total), rebuild(planId, unit.table()));
                    if (outcome != ShadowEngine.Outcome.CUT_OVER) {
                        stopOnRequest(stored, outcome == ShadowEngine.Outcome.PAUSED ? PlanControl.PAUSE : PlanControl.CANCEL, done);
                        return;
                    }
                } else {
                    int from = done;
                    Unit remaining = new Unit(unit.table(), unit.steps().stream().filter(s -> s.order() > from).toList(), false,
                            unit.outsideTransaction());
                    target = applyWithRetry(plan, remaining, operations, target, done);
                    unitsSinceReport++;
                }
                done = unit.lastOrder();
                store.recordProgress(planId, done);
                if (unitsSinceReport >= config.progressEveryTables()
                        || System.nanoTime() - lastReport >= config.progressInterval().toNanos()) {
                    String message = "applied " + done + " of " + total + " steps (last: " + describe(unit) + ")";
                    LOG.infof("plan %s: %s", planId, message);
                    progress(plan, ProgressStatus.RUNNING, done, message);
                    lastReport = System.nanoTime();
                    unitsSinceReport = 0;
                }
            }
        } catch (TableBusy e) {
            // another migration holds one of the tables: not a failure of the plan; the sweep runs it again later
            throw new PlanBusy(planId + " (" + e.getMessage() + ")");
        } catch (UnitFailed | ShadowFailure e) {
            fail(plan, done, e.getMessage());
            return;
        } finally {
            closeQuietly(target);
        }
        store.transition(planId, PlanTransition.COMPLETE);
        String message = "applied all " + total + " steps to " + where
                + (plan.pending().isEmpty() ? "" : "; " + plan.pending().size() + " changes were not planned (see pending)");
        LOG.infof("plan %s: %s", planId, message);
        outcome(plan, ProgressStatus.COMPLETED, done, message);
    }

    /** @return the open target connection, for the next unit */
    private Connection applyWithRetry(MigrationPlanned plan, Unit unit, Map<Integer, Operation> operations, Connection target,
                                      int done) throws UnitFailed, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                if (target == null || target.isClosed()) {
                    target = targets.open(plan.target());
                }
                apply(target, unit, operations);
                return target;
            } catch (SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                    closeQuietly(target);
                    target = null;
                }
                String what = e instanceof StepFailed failed
                        ? "step " + failed.step.order() + " of " + plan.steps().size() + " (" + failed.step.kind() + " on '"
                        + failed.step.table() + "')"
                        : describe(unit);
                String cause = "55P03".equals(e.getSQLState())
                        ? "could not lock '" + unit.table() + "' within lock_timeout " + config.lockTimeout().toMillis()
                        + "ms: another session holds a conflicting lock"
                        : SqlErrors.describe(e);
                if (!SqlErrors.isTransient(e)) {
                    closeQuietly(target);
                    throw new UnitFailed(what + " failed: " + cause);
                }
                if (attempt >= config.maxAttempts()) {
                    closeQuietly(target);
                    throw new UnitFailed(what + " failed after " + attempt + " attempts: " + cause);
                }
                Duration wait = Backoff.delay(attempt, config.backoffInitial(), config.backoffMax());
                String message = "attempt " + attempt + " of " + config.maxAttempts() + " on " + describe(unit)
                        + " failed: " + cause + "; retrying in " + wait.toMillis() + "ms";
                LOG.warnf("plan %s: %s", plan.planId(), message);
                progress(plan, ProgressStatus.RUNNING, done, message);
                Thread.sleep(wait.toMillis());
            }
        }
    }

    /**
     * One unit under a short lock_timeout and a statement_timeout: in one transaction (SET LOCAL, so nothing leaks
     * into the connection), or, for a CONCURRENTLY statement, in autocommit with the settings reset after it, rolled
     * back by its operation when it fails half-way (an INVALID index is dropped).
     */
    private void apply(Connection c, Unit unit, Map<Integer, Operation> operations) throws SQLException {
        boolean local = !unit.outsideTransaction();
        c.setAutoCommit(!local);
        try {
            settings(c, local);
            for (PlanStep step : unit.steps()) {
                Operation op = operations.get(step.order());
                try {
                    op.start(c);
                } catch (SQLException e) {
                    if (!local) {
                        rollbackQuietly(c, op);
                    }
                    throw new StepFailed(step, e);
                }
            }
            if (local) {
                c.commit();
            }
            for (PlanStep step : unit.steps()) {
                try {
                    operations.get(step.order()).complete(c);
                } catch (SQLException e) {
                    if (!local) {
                        rollbackQuietly(c, operations.get(step.order()));
                    }
                    throw new StepFailed(step, e);
                }
            }
        } catch (SQLException | RuntimeException e) {
            if (local) {
                try {
                    if (!c.isClosed()) {
                        c.rollback();
                    }
                } catch (SQLException ignored) {
                    // the connection is gone; the server rolled back for us
                }
            }
            throw e;
        } finally {
            if (!local) {
                try (Statement s = c.createStatement()) {
                    s.execute("RESET lock_timeout; RESET statement_timeout");
                } catch (SQLException ignored) {
                    // a broken connection is replaced before the next unit
                }
            }
        }
    }

    private void settings(Connection c, boolean local) throws SQLException {
        // set_config takes bound values, SET does not; standard_conforming_strings makes the literals operations render literal
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('lock_timeout', ?, ?), set_config('statement_timeout', ?, ?), "
                + "set_config('standard_conforming_strings', 'on', ?)")) {
            ps.setString(1, config.lockTimeout().toMillis() + "ms");
            ps.setBoolean(2, local);
            ps.setString(3, config.statementTimeout().toMillis() + "ms");
            ps.setBoolean(4, local);
            ps.setBoolean(5, local);
            ps.execute();
        }
    }

    private static void rollbackQuietly(Connection c, Operation op) {
        try {
            op.rollback(c);
        } catch (SQLException e) {
            LOG.warnf("undoing %s %s after its failure failed too: %s", op.change().kind(), op.change().target(), e.getMessage());
        }
    }

    private ShadowRebuild rebuild(String planId, String table) throws SQLException {
        return store.rebuilds(planId).stream().filter(r -> r.table().equals(table)).findFirst()
                .orElseThrow(() -> new IllegalStateException("plan " + planId + " has SHADOW_TABLE steps for '" + table
                        + "' but no stored rebuild"));
    }

    /** PAUSE leaves everything as it is (capture keeps logging writes); CANCEL ends the plan (the engine removed its objects). */
    private void stopOnRequest(StoredPlan stored, PlanControl control, int done) throws SQLException, InterruptedException {
        MigrationPlanned plan = stored.plan();
        if (control == PlanControl.PAUSE) {
            store.transition(plan.planId(), PlanTransition.PAUSE);
            progress(plan, ProgressStatus.RUNNING, done, "paused after step " + done + "; POST /migrations/" + plan.planId() + "/resume continues");
            return;
        }
        for (ShadowRebuild rebuild : store.rebuilds(plan.planId())) {
            try {
                shadow.abandon(plan.target(), plan.planId(), rebuild);
            } catch (ShadowFailure e) {
                LOG.warnf("plan %s: %s", plan.planId(), e.getMessage());
            }
        }
        store.transition(plan.planId(), PlanTransition.CANCEL);
        outcome(plan, ProgressStatus.ROLLED_BACK, done, "cancelled after step " + done
                + "; shadow objects removed, the original tables serve unchanged");
    }

    /**
     * Ends a plan the runner can no longer retry: FAILED with the reason, the shadow objects of rebuilds that did not
     * cut over removed (when the target is unreachable, the leftover sweep removes them later), and a FAILED event.
     *
     * @return false when the plan could not fail from where it stands (then nothing changed)
     */
    public boolean giveUp(String planId, String error) throws SQLException, InterruptedException {
        Optional<StoredPlan> found = store.find(planId);
        if (found.isEmpty() || store.transition(planId, PlanTransition.FAIL, error).isEmpty()) {
            return false;
        }
        MigrationPlanned plan = found.get().plan();
        LOG.errorf("plan %s failed at %d of %d steps: %s", planId, found.get().stepsDone(), plan.steps().size(), error);
        for (ShadowRebuild rebuild : store.rebuilds(planId)) {
            try {
                shadow.abandon(plan.target(), planId, rebuild);
            } catch (SQLException | ShadowFailure e) {
                LOG.warnf("plan %s: shadow objects of '%s' not removed yet (%s); the leftover sweep removes them", planId,
                        rebuild.table(), e.getMessage());
            }
        }
        outcome(plan, ProgressStatus.FAILED, found.get().stepsDone(), error);
        return true;
    }

    private void fail(MigrationPlanned plan, int done, String error) throws SQLException {
        LOG.errorf("plan %s failed at %d of %d steps: %s", plan.planId(), done, plan.steps().size(), error);
        store.recordProgress(plan.planId(), done);
        store.transition(plan.planId(), PlanTransition.FAIL, error);
        outcome(plan, ProgressStatus.FAILED, done, error);
    }

    /** Events about the whole plan carry its strategy as their phase (IN_PLACE or SHADOW_TABLE), not a step's path. */
    private void outcome(MigrationPlanned plan, ProgressStatus status, int done, String message) {
        publisher.progress(new MigrationProgress(plan.planId(), plan.target(), status.name(), plan.strategy(), done,
                plan.steps().size(), message, null, null, null, null));
    }

    private void progress(MigrationPlanned plan, ProgressStatus status, int done, String message) {
        publisher.progress(new MigrationProgress(plan.planId(), plan.target(), status.name(), PHASE, done, plan.steps().size(),
                message, null, null, null, null));
    }

    private static String describe(Unit unit) {
        List<PlanStep> steps = unit.steps();
        String table = unit.table() == null || unit.table().isEmpty() ? "schema" : "'" + unit.table() + "'";
        return steps.size() == 1
                ? "step " + steps.get(0).order() + " (" + steps.get(0).kind() + " on " + table + ")"
                : "steps " + steps.get(0).order() + "-" + steps.get(steps.size() - 1).order() + " on " + table;
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already gone
            }
        }
    }

    /** One statement of a unit failed; names the step and keeps the server's SQLSTATE. */
    static final class StepFailed extends SQLException {
        final transient PlanStep step;

        StepFailed(PlanStep step, SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
            this.step = step;
        }
    }

    static final class UnitFailed extends Exception {
        UnitFailed(String message) {
            super(message);
        }
    }
}
