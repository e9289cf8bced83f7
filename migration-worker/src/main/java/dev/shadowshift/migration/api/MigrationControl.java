package dev.shadowshift.migration.api;

import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.migration.execution.MigrationRunner;
import dev.shadowshift.migration.messaging.EventPublisher;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.shadow.ShadowCheckpoint;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowStore;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * approve / pause / resume / cancel / rollback: each is a compare-and-set on the plan's status; the work itself
 * (removing shadow objects, swapping back) runs on the runner thread, serialised with plan runs.
 */
@ApplicationScoped
public class MigrationControl {

    private static final Logger LOG = Logger.getLogger(MigrationControl.class);
    private static final List<String> CANCELLABLE = List.of("READY", "AWAITING_BACKUP", "AWAITING_APPROVAL", "PAUSED");

    /** @param accepted false -> 409 with {@code reason} */
    public record Result(boolean accepted, String status, String reason) {
    }

    private final PlanStore plans;
    private final ShadowStore shadows;
    private final ShadowEngine engine;
    private final MigrationRunner runner;
    private final EventPublisher publisher;

    public MigrationControl(PlanStore plans, ShadowStore shadows, ShadowEngine engine, MigrationRunner runner, EventPublisher publisher) {
        this.plans = plans;
        this.shadows = shadows;
        this.engine = engine;
        this.runner = runner;
        this.publisher = publisher;
    }

    public Result approve(String planId, StoredPlan plan) throws SQLException {
        Optional<String> status = plans.approve(planId);
        if (status.isEmpty()) {
            return refused(plan, "only a plan AWAITING_APPROVAL with steps can be approved");
        }
        if (status.get().equals("READY")) {
            runner.submit(planId);
        }
        return new Result(true, status.get(), null);
    }

    public Result pause(String planId, StoredPlan plan) throws SQLException {
        if (plans.requestControl(planId, "PAUSE")) {
            return new Result(true, "PAUSING", null);
        }
        return refused(plan, "only a RUNNING plan can be paused");
    }

    public Result resume(String planId, StoredPlan plan) throws SQLException {
        if (plans.transition(planId, List.of("PAUSED"), "READY", null)) {
            runner.submit(planId);
            return new Result(true, "READY", null);
        }
        return refused(plan, "only a PAUSED plan can be resumed");
    }

    public Result cancel(String planId, StoredPlan plan) throws SQLException {
        if (plans.requestControl(planId, "CANCEL")) {
            return new Result(true, "CANCELLING", null);
        }
        if (!plans.transition(planId, CANCELLABLE, "CANCELLED", null)) {
            return refused(plan, "only a plan that has not finished can be cancelled (use rollback after completion)");
        }
        runner.submitTask("cancel of plan " + planId, () -> {
            for (ShadowRebuild rebuild : plans.rebuilds(planId)) {
                engine.abandon(plan.plan().target(), planId, rebuild);
            }
            publish(plan.plan(), "ROLLED_BACK", "cancelled; no shadow objects remain and the original tables serve unchanged");
        });
        return new Result(true, "CANCELLED", null);
    }

    public Result rollback(String planId, StoredPlan plan) throws SQLException {
        List<ShadowRebuild> cutOver = new ArrayList<>();
        for (ShadowRebuild rebuild : plans.rebuilds(planId)) {
            Optional<ShadowCheckpoint> cp = shadows.find(planId, rebuild.table());
            if (cp.isPresent() && cp.get().phase().equals(ShadowCheckpoint.CUT_OVER)) {
                cutOver.add(rebuild);
            }
        }
        if (!plan.status().equals("COMPLETED") || cutOver.isEmpty()) {
            return refused(plan, "only a COMPLETED plan whose rebuilt tables still have their rollback point can be rolled back"
                    + (plan.status().equals("RUNNING") || plan.status().equals("PAUSED") ? " (cancel a plan that has not completed)" : ""));
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
                publish(plan.plan(), "FAILED", "rollback failed: " + e.getMessage() + "; the rebuilt table keeps serving");
                return;
            }
            plans.transition(planId, List.of("COMPLETED"), "ROLLED_BACK", null);
            publish(plan.plan(), "ROLLED_BACK", "the original table(s) serve again" + (notes.isEmpty()
                    ? "; every write made since cutover was carried back" : "; " + String.join("; ", notes)));
        });
        return new Result(true, "ROLLING_BACK", null);
    }

    private void publish(MigrationPlanned plan, String status, String message) {
        publisher.progress(new MigrationProgress(plan.planId(), plan.target(), status, "CUTOVER", 0, plan.steps().size(),
                message, null, null, null, null));
    }

    private static Result refused(StoredPlan plan, String why) {
        return new Result(false, plan.status(), "plan " + plan.planId() + " is " + plan.status() + ": " + why);
    }
}
