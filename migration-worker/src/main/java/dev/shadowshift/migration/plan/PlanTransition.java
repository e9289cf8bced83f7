package dev.shadowshift.migration.plan;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.shadowshift.migration.plan.PlanState.AWAITING_APPROVAL;
import static dev.shadowshift.migration.plan.PlanState.AWAITING_BACKUP;
import static dev.shadowshift.migration.plan.PlanState.CANCELLED;
import static dev.shadowshift.migration.plan.PlanState.COMPLETED;
import static dev.shadowshift.migration.plan.PlanState.FAILED;
import static dev.shadowshift.migration.plan.PlanState.PAUSED;
import static dev.shadowshift.migration.plan.PlanState.READY;
import static dev.shadowshift.migration.plan.PlanState.ROLLED_BACK;
import static dev.shadowshift.migration.plan.PlanState.RUNNING;

/**
 * Every allowed change of a plan's state, in one place: the states it may start from and the one it leads to. The
 * store applies a transition as {@code UPDATE ... WHERE status = ANY(from)}, so a late or redelivered event can never
 * move a plan backwards (fail a plan that completed, approve one that was cancelled).
 */
public enum PlanTransition {
    /** An operator approved the held steps: READY, or AWAITING_BACKUP while its backup has not arrived. */
    APPROVE(EnumSet.of(AWAITING_APPROVAL), READY, AWAITING_BACKUP),
    BACKUP_VERIFIED(EnumSet.of(AWAITING_BACKUP), READY),
    START(EnumSet.of(READY, RUNNING), RUNNING),
    PAUSE(EnumSet.of(RUNNING), PAUSED),
    RESUME(EnumSet.of(PAUSED), READY),
    CANCEL(EnumSet.of(AWAITING_APPROVAL, AWAITING_BACKUP, READY, RUNNING, PAUSED), CANCELLED),
    COMPLETE(EnumSet.of(RUNNING), COMPLETED),
    FAIL(EnumSet.of(AWAITING_APPROVAL, AWAITING_BACKUP, READY, RUNNING), FAILED),
    ROLL_BACK(EnumSet.of(COMPLETED), ROLLED_BACK);

    private final Set<PlanState> from;
    private final List<PlanState> to;

    PlanTransition(Set<PlanState> from, PlanState... to) {
        this.from = from;
        this.to = List.of(to);
    }

    public Set<PlanState> from() {
        return from;
    }

    /** The state it leads to (APPROVE: READY when no backup is missing). */
    public PlanState to() {
        return to.get(0);
    }

    /** APPROVE's other end, while the plan still waits for its backup. */
    public PlanState toWithoutBackup() {
        return to.get(to.size() - 1);
    }

    public boolean allowedFrom(PlanState state) {
        return from.contains(state);
    }
}
