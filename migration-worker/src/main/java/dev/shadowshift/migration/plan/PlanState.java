package dev.shadowshift.migration.plan;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a plan stands. The state database stores this enum (PostgreSQL type {@code plan_state}); every change of
 * state is one of the {@link PlanTransition}s, applied as a compare-and-set.
 *
 * <pre>
 *   NOTHING_TO_DO                                   (nothing to change: the end)
 *   AWAITING_APPROVAL --APPROVE--> AWAITING_BACKUP | READY
 *   AWAITING_BACKUP --BACKUP_VERIFIED--> READY
 *   READY --START--> RUNNING --COMPLETE--> COMPLETED --ROLL_BACK--> ROLLED_BACK
 *   RUNNING --PAUSE--> PAUSED --RESUME--> READY
 *   AWAITING_* , READY, RUNNING, PAUSED --CANCEL--> CANCELLED
 *   AWAITING_* , READY, RUNNING --FAIL--> FAILED     (backup failed, a step failed, retries spent)
 * </pre>
 */
public enum PlanState {
    AWAITING_APPROVAL, AWAITING_BACKUP, READY, RUNNING, PAUSED, COMPLETED, FAILED, CANCELLED, ROLLED_BACK, NOTHING_TO_DO;

    /** The states the runner picks up (again) at startup and in its sweep. */
    public static final Set<PlanState> RUNNABLE = EnumSet.of(READY, RUNNING);
    /** States a backup event is for. */
    public static final Set<PlanState> WAITING = EnumSet.of(AWAITING_BACKUP, AWAITING_APPROVAL);

    /** Where a new plan starts: held for approval, for its backup, or ready. */
    public static PlanState initial(boolean hasSteps, boolean needsApproval, boolean requiresBackup) {
        if (needsApproval) {
            return AWAITING_APPROVAL;
        }
        if (!hasSteps) {
            return NOTHING_TO_DO;
        }
        return requiresBackup ? AWAITING_BACKUP : READY;
    }

    public boolean finished() {
        return EnumSet.of(COMPLETED, FAILED, CANCELLED, ROLLED_BACK, NOTHING_TO_DO).contains(this);
    }
}
