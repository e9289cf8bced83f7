package dev.shadowshift.migration.execution;

import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.migration.messaging.EventPublisher;
import dev.shadowshift.migration.plan.ExecutionUnits;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowFailure;
import dev.shadowshift.migration.shadow.TableBusy;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.pg.TargetDatabases;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Applies one plan's in-place steps: unit by unit (one table per transaction), retrying a unit whose lock cannot be
 * had within lock_timeout, recording steps_done after each commit so that a restarted worker resumes where this
 * one stopped, and announcing STARTED, RUNNING and COMPLETED or FAILED on migration-progress.
 */
@ApplicationScoped
public class PlanExecution {

    private static final Logger LOG = Logger.getLogger(PlanExecution.class);
    static final String PHASE = "IN_PLACE";

    private final PlanStore store;
    private final TargetDatabases targets;
    private final EventPublisher publisher;
    private final MigrationConfig config;

    private final ShadowEngine shadow;

    public PlanExecution(PlanStore store, TargetDatabases targets, EventPublisher publisher, MigrationConfig config,
                         ShadowEngine shadow) {
        this.shadow = shadow;
        this.store = store;
        this.targets = targets;
        this.publisher = publisher;
        this.config = config;
    }

    /**
     * @throws SQLException when the state database fails: the plan stays RUNNING and the caller tries again later
     */
    public void run(String planId) throws SQLException, InterruptedException {
        Optional<StoredPlan> found = store.find(planId);
        if (found.isEmpty() || !List.of("READY", "RUNNING").contains(found.get().status())) {
            LOG.debugf("plan %s is not runnable (%s)", planId, found.map(StoredPlan::status).orElse("unknown"));
            return;
        }
        if (!store.markRunning(planId)) {
            return;
        }
        StoredPlan stored = found.get();
        MigrationPlanned plan = stored.plan();
        int total = plan.steps().size();
        int done = stored.stepsDone();
        String where = plan.target() + "/" + plan.schema();
        // started_at is set by the first markRunning: a plan that has it was interrupted (crash, restart, pause)
        boolean resumed = stored.startedAt() != null;
        String startMessage = resumed
                ? "resuming " + (done > 0 ? "after step " + done : "at step " + (done + 1)) + " of " + total + " on " + where
                + " (strategy " + plan.strategy() + ")"
                : "applying " + total + " steps to " + where + " (strategy " + plan.strategy() + ")";
        LOG.infof("plan %s: %s", planId, startMessage);
        outcome(plan, "STARTED", done, startMessage);

        List<ExecutionUnits.Unit> units = ExecutionUnits.of(plan.steps());
        long lastReport = System.nanoTime();
        int unitsSinceReport = 0;
        Connection target = null;
        try {
            for (ExecutionUnits.Unit unit : units) {
                if (unit.lastOrder() <= done) {
                    continue;
                }
                String control = store.control(planId);
                if (control != null) {
                    stopOnRequest(stored, control, done);
                    return;
                }
                if (unit.shadow()) {
                    closeQuietly(target);
                    target = null;
                    ShadowRebuild rebuild = rebuilds(planId, unit.table());
                    ShadowEngine.Outcome outcome = shadow.run(new ShadowEngine.Progress(stored, done, total), rebuild);
                    if (outcome != ShadowEngine.Outcome.CUT_OVER) {
                        stopOnRequest(stored, outcome == ShadowEngine.Outcome.PAUSED ? "PAUSE" : "CANCEL", done);
                        return;
                    }
                    done = unit.lastOrder();
                    store.recordProgress(planId, done);
                    continue;
                }
                int from = done;
                ExecutionUnits.Unit remaining = new ExecutionUnits.Unit(unit.table(),
                        unit.steps().stream().filter(s -> s.order() > from).toList(), unit.ownTransaction());
                target = applyWithRetry(plan, remaining, target, done, total);
                done = unit.lastOrder();
                store.recordProgress(planId, done);
                unitsSinceReport++;
                if (unitsSinceReport >= config.progressEveryTables()
                        || System.nanoTime() - lastReport >= config.progressInterval().toNanos()) {
                    String message = "applied " + done + " of " + total + " steps (last: " + describe(unit) + ")";
                    LOG.infof("plan %s: %s", planId, message);
                    progress(plan, "RUNNING", done, message);
                    lastReport = System.nanoTime();
                    unitsSinceReport = 0;
                }
            }
        } catch (UnitFailed e) {
            fail(plan, done, e.getMessage());
            return;
        } catch (TableBusy e) {
            // another worker migrates this table: not a failure of the plan, try again later
            throw new IllegalStateException(e.getMessage(), e);
        } catch (ShadowFailure e) {
            fail(plan, done, e.getMessage());
            return;
        } finally {
            closeQuietly(target);
        }
        store.markCompleted(planId, done);
        String message = "applied all " + total + " steps to " + where
                + (plan.pending().isEmpty() ? "" : "; " + plan.pending().size() + " changes remain pending (shadow table or approval)");
        LOG.infof("plan %s: %s", planId, message);
        outcome(plan, "COMPLETED", done, message);
    }

    /** @return the open target connection, for the next unit */
    private Connection applyWithRetry(MigrationPlanned plan, ExecutionUnits.Unit unit, Connection target, int done, int total)
            throws UnitFailed, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                if (target == null || target.isClosed()) {
                    target = targets.open(plan.target());
                }
                DdlExecutor.apply(target, plan.schema(), unit, config.lockTimeout(), config.statementTimeout());
                return target;
            } catch (SQLException e) {
                boolean retriable = DdlExecutor.retriable(e);
                if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                    closeQuietly(target);
                    target = null;
                }
                String what = e instanceof DdlExecutor.StepFailed failed
                        ? "step " + failed.step().order() + " of " + total + " (" + failed.step().kind() + " on '"
                        + failed.step().table() + "')"
                        : describe(unit);
                String cause = DdlExecutor.lockTimeout(e)
                        ? "could not lock '" + unit.table() + "' within lock_timeout " + config.lockTimeout().toMillis()
                        + "ms: another session holds a conflicting lock"
                        : e.getMessage() + " [SQLSTATE " + e.getSQLState() + "]";
                if (!retriable) {
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
                progress(plan, "RUNNING", done, message);
                Thread.sleep(wait.toMillis());
            }
        }
    }

    private ShadowRebuild rebuilds(String planId, String table) throws SQLException {
        return store.rebuilds(planId).stream().filter(r -> r.table().equals(table)).findFirst()
                .orElseThrow(() -> new IllegalStateException("plan " + planId + " has SHADOW_TABLE steps for '" + table
                        + "' but no stored rebuild"));
    }

    /** PAUSE leaves everything as it is (capture keeps logging writes); CANCEL ends the plan (the engine removed its objects). */
    private void stopOnRequest(StoredPlan stored, String control, int done) throws SQLException, InterruptedException {
        MigrationPlanned plan = stored.plan();
        if ("PAUSE".equals(control)) {
            store.transition(plan.planId(), List.of("RUNNING"), "PAUSED", null);
            progress(plan, "RUNNING", done, "paused after step " + done + "; POST /migrations/" + plan.planId() + "/resume continues");
            return;
        }
        for (ShadowRebuild rebuild : store.rebuilds(plan.planId())) {
            try {
                shadow.abandon(plan.target(), plan.planId(), rebuild);
            } catch (ShadowFailure e) {
                LOG.warnf("plan %s: %s", plan.planId(), e.getMessage());
            }
        }
        store.transition(plan.planId(), List.of("RUNNING"), "CANCELLED", null);
        outcome(plan, "ROLLED_BACK", done, "cancelled after step " + done + "; shadow objects removed, the original tables serve unchanged");
    }

    /**
     * Ends a plan the runner can no longer retry (its transient-failure budget is spent, or the failure is not
     * transient): FAILED with the reason, the shadow objects of rebuilds that did not cut over removed (when the
     * target is unreachable, the leftover sweep removes them later), and a FAILED event.
     *
     * @return false when the plan was no longer READY or RUNNING (then nothing changed)
     */
    public boolean giveUp(String planId, String error) throws SQLException, InterruptedException {
        Optional<StoredPlan> found = store.find(planId);
        if (found.isEmpty() || !store.markFailed(planId, List.of("READY", "RUNNING"), error)) {
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
        outcome(plan, "FAILED", found.get().stepsDone(), error);
        return true;
    }

    private void fail(MigrationPlanned plan, int done, String error) throws SQLException {
        LOG.errorf("plan %s failed at %d of %d steps: %s", plan.planId(), done, plan.steps().size(), error);
        store.recordProgress(plan.planId(), done);
        store.markFailed(plan.planId(), List.of("RUNNING"), error);
        outcome(plan, "FAILED", done, error);
    }

    /** Events about the whole plan carry its strategy as their phase (IN_PLACE or SHADOW_TABLE), not a step's path. */
    private void outcome(MigrationPlanned plan, String status, int done, String message) {
        publisher.progress(new MigrationProgress(plan.planId(), plan.target(), status, plan.strategy(), done, plan.steps().size(),
                message, null, null, null, null));
    }

    private void progress(MigrationPlanned plan, String status, int done, String message) {
        publisher.progress(new MigrationProgress(plan.planId(), plan.target(), status, PHASE, done, plan.steps().size(),
                message, null, null, null, null));
    }

    private static String describe(ExecutionUnits.Unit unit) {
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

    static final class UnitFailed extends Exception {
        UnitFailed(String message) {
            super(message);
        }
    }
}
