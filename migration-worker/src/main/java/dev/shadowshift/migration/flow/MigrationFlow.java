package dev.shadowshift.migration.flow;

import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.events.ProgressStatus;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.plan.MigrationPlanner;
import dev.shadowshift.migration.plan.Plan;
import dev.shadowshift.migration.plan.PlanControl;
import dev.shadowshift.migration.plan.PlanState;
import dev.shadowshift.migration.plan.PlanTransition;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.shadow.ShadowCheckpoint;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowSteps;
import dev.shadowshift.migration.shadow.ShadowStore;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.migration.support.Announcements;
import dev.shadowshift.operations.Catalog;
import dev.shadowshift.operations.ServerTypes;
import dev.shadowshift.pg.ProcessedEvents;
import dev.shadowshift.pg.TargetDatabases;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The one flow of a migration, whatever started it (a spec-changed record, {@code ./shadowshift migrate}, a REST
 * call): plan from the typed changes and the live catalog, store, announce, gate on approval and backup, run, and
 * the operator's approve / pause / resume / cancel / rollback. Each step of a plan's life is a {@link PlanTransition}.
 */
@ApplicationScoped
public class MigrationFlow {

    public static final String SPEC_CONSUMER = "migration-worker/spec-changed";
    public static final String BACKUP_CONSUMER = "migration-worker/backups";
    private static final Logger LOG = Logger.getLogger(MigrationFlow.class);

    /** @param accepted false: the plan's state does not allow it, {@code reason} says why (REST answers 409) */
    public record Result(boolean accepted, String status, String reason) {
    }

    private final PlanStore plans;
    private final ShadowStore shadows;
    private final TargetDatabases targets;
    private final Announcements announcements;
    private final Runner runner;
    private final ShadowEngine engine;

    public MigrationFlow(PlanStore plans, ShadowStore shadows, TargetDatabases targets, Announcements announcements, Runner runner,
                         ShadowEngine engine) {
        this.plans = plans;
        this.shadows = shadows;
        this.targets = targets;
        this.announcements = announcements;
        this.runner = runner;
        this.engine = engine;
    }

    public PlanStore plans() {
        return plans;
    }

    /**
     * A typed spec change: the plan it makes (or made, on a redelivery: the plan id derives from the event id),
     * stored and announced; run now when nothing stands in the way.
     *
     * @throws InvalidEventException when the change cannot be planned at all (poison: it belongs in the dead-letter topic)
     */
    public StoredPlan accept(String eventId, SpecChanged spec) throws SQLException {
        // the same contract for every intake: what the CLI hands over passes the event's schema too
        EventSchemas.validateData(EventType.SPEC_CHANGED, EventCodec.mapper().valueToTree(spec));
        if (!targets.exists(spec.target())) {
            throw new InvalidEventException("spec-changed " + eventId + " names target '" + spec.target()
                    + "', which this worker has no configuration for (shadowshift.targets." + spec.target() + ".jdbc-url)");
        }
        String planId = MigrationPlanner.planIdFor(eventId);
        Optional<StoredPlan> existing = plans.find(planId);
        if (existing.isEmpty()) {
            Plan plan = preview(planId, spec);
            try (Connection c = plans.connection()) {
                c.setAutoCommit(false);
                if (ProcessedEvents.firstDelivery(c, SPEC_CONSUMER, eventId)) {
                    plans.insert(c, eventId, plan);
                }
                c.commit();
            }
            MigrationPlanned p = plan.announced();
            LOG.infof("plan %s for %s v%d on %s/%s: %s, %s risk, %d steps, %d pending, backup %s%s", planId, spec.subject(),
                    spec.version(), spec.target(), spec.schema(), plan.state(), p.risk(), p.steps().size(), p.pending().size(),
                    p.requiresBackup() ? p.backupTables() : "not needed", plan.holdReason() == null ? "" : "; " + plan.holdReason());
            existing = plans.find(planId);
        } else {
            LOG.infof("spec-changed %s delivered again: re-announcing plan %s (%s)", eventId, planId, existing.get().state());
        }
        StoredPlan stored = existing.orElseThrow(() -> new IllegalStateException("plan " + planId + " vanished"));
        announcements.planned(stored.plan());
        if (PlanState.RUNNABLE.contains(stored.state())) {
            runner.submit(planId);
        }
        return stored;
    }

    /** The plan a spec change would make, against the live catalog, with nothing stored or changed. */
    public Plan preview(String planId, SpecChanged spec) throws SQLException {
        return MigrationPlanner.plan(planId, spec, catalog(spec), ShadowSteps.ANNOUNCED);
    }

    /** One read-only snapshot of the target schema, with the changes' type names and defaults resolved by the server. */
    private Catalog catalog(SpecChanged spec) throws SQLException {
        try (Connection c = targets.open(spec.target())) {
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('statement_timeout', '30000', true)")) {
                ps.execute();
            }
            try {
                return ServerTypes.catalog(c, spec.schema(), spec.changes());
            } finally {
                c.rollback();
            }
        }
    }

    /** A verified backup of what the plan alters releases it (or is recorded while it still waits for approval). */
    public void backupCompleted(String eventId, BackupCompleted backup) throws SQLException {
        backupCompleted(eventId, new Backup(backup.planId(), backup.backupId(), backup.target(), backup.tables(), backup.verified(),
                backup.location()));
    }

    /** A backup as the gate needs it: the backup-worker's event, or the archive {@code ./shadowshift migrate} made itself. */
    public record Backup(String planId, String backupId, String target, List<String> tables, boolean verified, String location) {
    }

    public void backupCompleted(String eventId, Backup backup) throws SQLException {
        String failure = null;
        StoredPlan plan;
        try (Connection c = plans.connection()) {
            c.setAutoCommit(false);
            Optional<StoredPlan> found = waiting(c, eventId, "backup-completed", backup.planId());
            if (found.isEmpty()) {
                c.commit();
                return;
            }
            plan = found.get();
            MigrationPlanned p = plan.plan();
            List<String> missing = p.backupTables().stream().filter(t -> !backup.tables().contains(t)).toList();
            if (!backup.verified()) {
                failure = "backup " + backup.backupId() + " is not verified";
            } else if (!p.target().equals(backup.target())) {
                failure = "backup " + backup.backupId() + " is of target '" + backup.target() + "', the plan changes '" + p.target() + "'";
            } else if (!missing.isEmpty()) {
                failure = "backup " + backup.backupId() + " does not cover " + missing;
            }
            if (plan.state() == PlanState.AWAITING_APPROVAL) {
                if (failure == null) {
                    plans.recordBackup(c, p.planId(), backup.backupId());
                    LOG.infof("plan %s: backup %s recorded; the plan still waits for approval", p.planId(), backup.backupId());
                }
                c.commit();
                return;
            }
            if (failure == null) {
                plans.recordBackup(c, p.planId(), backup.backupId());
                plans.transition(c, p.planId(), PlanTransition.BACKUP_VERIFIED, null);
            } else {
                plans.transition(c, p.planId(), PlanTransition.FAIL, failure);
            }
            c.commit();
        }
        if (failure != null) {
            LOG.errorf("plan %s failed: %s", plan.planId(), failure);
            announcements.progress(failed(plan.plan(), failure));
            return;
        }
        LOG.infof("plan %s: backup %s (%s) verified; applying", plan.planId(), backup.backupId(), backup.location());
        runner.submit(plan.planId());
    }

    public void backupFailed(String eventId, BackupFailed backup) throws SQLException {
        if (!(backup.corrupt() && backup.backupId() != null && revoked(backup))) {
            backupFailed(eventId, backup.planId(), backup.reason());
        }
    }

    /**
     * A re-verification found the backup a plan already holds CORRUPT: the plan holds none now, so the shadow gate
     * will not cut over on it, and a plan that has not started fails.
     *
     * @return false when the plan does not hold that backup (then it is a backup the plan still waits for)
     */
    private boolean revoked(BackupFailed backup) throws SQLException {
        String reason = "backup " + backup.backupId() + " is CORRUPT: " + backup.reason();
        Optional<StoredPlan> plan;
        boolean failed;
        try (Connection c = plans.connection()) {
            c.setAutoCommit(false);
            if (!plans.revokeBackup(c, backup.planId(), backup.backupId())) {
                c.commit();
                return false;
            }
            plan = plans.find(c, backup.planId(), true);
            failed = plan.isPresent() && (plan.get().state() == PlanState.READY || plan.get().state() == PlanState.AWAITING_APPROVAL)
                    && plans.transition(c, backup.planId(), PlanTransition.FAIL, reason).isPresent();
            c.commit();
        }
        LOG.errorf("plan %s: %s; it no longer holds a verified backup%s", backup.planId(), reason,
                failed ? " and fails" : ", so it will not cut over on it");
        if (failed) {
            announcements.progress(failed(plan.get().plan(), reason));
        }
        return true;
    }

    public void backupFailed(String eventId, String planId, String why) throws SQLException {
        String reason = "backup failed: " + why;
        StoredPlan plan;
        try (Connection c = plans.connection()) {
            c.setAutoCommit(false);
            Optional<StoredPlan> found = waiting(c, eventId, "backup-failed", planId);
            if (found.isEmpty()) {
                c.commit();
                return;
            }
            plan = found.get();
            plans.transition(c, plan.planId(), PlanTransition.FAIL, reason);
            c.commit();
        }
        LOG.errorf("plan %s failed: %s", plan.planId(), reason);
        announcements.progress(failed(plan.plan(), reason));
    }

    /** The plan, locked, if this is the first delivery and the plan waits for a backup; otherwise logs why not. */
    private Optional<StoredPlan> waiting(Connection c, String eventId, String what, String planId) throws SQLException {
        if (!ProcessedEvents.firstDelivery(c, BACKUP_CONSUMER, eventId)) {
            LOG.infof("%s %s delivered again; already handled", what, eventId);
            return Optional.empty();
        }
        Optional<StoredPlan> plan = plans.find(c, planId, true);
        if (plan.isEmpty()) {
            LOG.warnf("%s %s is about plan %s, which this worker does not know; ignored", what, eventId, planId);
            return Optional.empty();
        }
        if (!PlanState.WAITING.contains(plan.get().state())) {
            LOG.infof("%s %s for plan %s ignored: the plan is %s, not waiting for a backup", what, eventId, planId, plan.get().state());
            return Optional.empty();
        }
        return plan;
    }

    public Result approve(StoredPlan plan) throws SQLException {
        if (plan.stepsTotal() == 0) {
            return refused(plan, "it has no step to approve" + (plan.holdReason() == null ? "" : " (" + plan.holdReason() + ")"));
        }
        Optional<PlanState> now = plans.transition(plan.planId(), PlanTransition.APPROVE);
        if (now.isEmpty()) {
            return refused(plan, "only a plan AWAITING_APPROVAL can be approved");
        }
        LOG.infof("plan %s approved: %s", plan.planId(), now.get());
        if (now.get() == PlanState.READY) {
            runner.submit(plan.planId());
        }
        return new Result(true, now.get().name(), null);
    }

    public Result pause(StoredPlan plan) throws SQLException {
        if (plans.requestControl(plan.planId(), PlanControl.PAUSE)) {
            return new Result(true, "PAUSING", null);
        }
        return refused(plan, "only a RUNNING plan can be paused");
    }

    public Result resume(StoredPlan plan) throws SQLException {
        Optional<PlanState> now = plans.transition(plan.planId(), PlanTransition.RESUME);
        if (now.isPresent()) {
            runner.submit(plan.planId());
            return new Result(true, now.get().name(), null);
        }
        return refused(plan, "only a PAUSED plan can be resumed");
    }

    public Result cancel(StoredPlan plan) throws SQLException {
        String planId = plan.planId();
        if (plans.requestControl(planId, PlanControl.CANCEL)) {
            return new Result(true, "CANCELLING", null);
        }
        if (plan.state() == PlanState.RUNNING || plans.transition(planId, PlanTransition.CANCEL).isEmpty()) {
            return refused(plan, "only a plan that has not finished can be cancelled (use rollback after completion)");
        }
        runner.submitTask("cancel of plan " + planId, () -> {
            for (ShadowRebuild rebuild : plans.rebuilds(planId)) {
                engine.abandon(plan.plan().target(), planId, rebuild);
            }
            publish(plan.plan(), ProgressStatus.ROLLED_BACK, "cancelled; no shadow objects remain and the original tables serve unchanged");
        });
        return new Result(true, PlanState.CANCELLED.name(), null);
    }

    public Result rollback(StoredPlan plan) throws SQLException {
        String planId = plan.planId();
        List<ShadowRebuild> cutOver = new ArrayList<>();
        ShadowCheckpoint closed = null;
        for (ShadowRebuild rebuild : plans.rebuilds(planId)) {
            Optional<ShadowCheckpoint> cp = shadows.find(planId, rebuild.table());
            if (cp.isEmpty()) {
                continue;
            }
            boolean expired = cp.get().rollbackUntil() != null && !cp.get().rollbackUntil().toInstant().isAfter(java.time.Instant.now());
            if (cp.get().phase().equals(ShadowCheckpoint.CUT_OVER) && !expired) {
                cutOver.add(rebuild);
            } else if (cp.get().phase().equals(ShadowCheckpoint.CLEANED) || cp.get().phase().equals(ShadowCheckpoint.CUT_OVER)) {
                closed = cp.get();
            }
        }
        if (PlanTransition.ROLL_BACK.allowedFrom(plan.state()) && closed != null) {
            // one table's window closed: the plan cannot be rolled back whole any more
            return refused(plan, dev.shadowshift.migration.shadow.RollbackWindowClosed.message(closed, plan.backupId()));
        }
        if (!PlanTransition.ROLL_BACK.allowedFrom(plan.state()) || cutOver.isEmpty()) {
            return refused(plan, "only a COMPLETED plan whose rebuilt tables still have their rollback point can be rolled back"
                    + (plan.state() == PlanState.RUNNING || plan.state() == PlanState.PAUSED ? " (cancel a plan that has not completed)" : ""));
        }
        Collections.reverse(cutOver);
        runner.submitTask("rollback of plan " + planId, () -> {
            List<String> notes = new ArrayList<>();
            try {
                for (ShadowRebuild rebuild : cutOver) {
                    String lost = engine.swapBack(plan.plan().target(), planId, rebuild);
                    if (lost != null) {
                        notes.add(lost);
                    }
                }
            } catch (Exception e) {
                LOG.errorf("plan %s: rollback failed: %s", planId, e.getMessage());
                publish(plan.plan(), ProgressStatus.FAILED, "rollback failed: " + e.getMessage() + "; the rebuilt table keeps serving");
                return;
            }
            plans.transition(planId, PlanTransition.ROLL_BACK);
            publish(plan.plan(), ProgressStatus.ROLLED_BACK, "the original table(s) serve again" + (notes.isEmpty()
                    ? "; every write made since cutover was carried back" : "; " + String.join("; ", notes)));
        });
        return new Result(true, "ROLLING_BACK", null);
    }

    private void publish(MigrationPlanned plan, ProgressStatus status, String message) {
        announcements.progress(new MigrationProgress(plan.planId(), plan.target(), status.name(), "CUTOVER", 0, plan.steps().size(),
                message, null, null, null, null));
    }

    private static MigrationProgress failed(MigrationPlanned plan, String reason) {
        return new MigrationProgress(plan.planId(), plan.target(), ProgressStatus.FAILED.name(), "PREPARATION", 0,
                plan.steps().size(), reason, null, null, null, null);
    }

    private static Result refused(StoredPlan plan, String why) {
        return new Result(false, plan.state().name(), "plan " + plan.planId() + " is " + plan.state() + ": " + why);
    }
}
