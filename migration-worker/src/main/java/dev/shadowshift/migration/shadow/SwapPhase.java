package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.PlanControl;
import dev.shadowshift.migration.store.StoredPlan;

import java.sql.SQLException;
import java.util.List;

/**
 * CUTOVER: the backup gate, then the swap under a short lock with the last logged writes copied under it
 * ({@link Cutover}), retried while too many writes arrive during the lock wait; then the foreign keys pointing in are
 * validated and the materialized views swapped onto the rebuilt table. The original stays as the rollback point.
 */
final class SwapPhase implements ShadowPhase {

    /** For the tests' hooks only: the log is caught up and the swap is about to take its lock (each attempt). */
    static final String BEFORE_SWAP = "BEFORE_SWAP";

    /** The swap copies at most this many times cutover-max-pending logged writes under its lock. */
    private static final int UNDER_LOCK_FACTOR = 4;

    @Override
    public String checkpoint() {
        return ShadowCheckpoint.CUT_OVER;
    }

    @Override
    public PlanControl run(ShadowRun r) throws SQLException, ShadowFailure, InterruptedException {
        // the backup gate: never cut over without a verified backup of this plan
        StoredPlan fresh = r.plans.find(r.planId).orElseThrow();
        if (fresh.plan().requiresBackup() && fresh.backupId() == null) {
            throw new BackupMissing("no verified backup-completed is recorded for plan " + r.planId + "; the shadow path does not cut over without one");
        }
        boolean castsBack = RollbackPoint.reverseCastsExist(r.c, r.original, r.rebuild);
        boolean reverse = r.config.reverseSync() && castsBack;
        Cutover.Swapped swapped = null;
        for (int round = 1; swapped == null; round++) {
            r.doing.now("CUTOVER", "applying the change log (copying logged rows into the shadow)");
            // the fewer writes are left, the shorter the swap holds its lock: the swap copies the rest
            r.catchUp(r.config.cutoverMaxPending(), "before the swap");
            r.hooks.reached(BEFORE_SWAP);
            r.doing.now("CUTOVER", "swap (LOCK, copy of the last logged writes, RENAME, carry-over of views, foreign keys, grants, triggers)");
            r.report.say("CUTOVER", "swapping " + r.n.qualified(r.n.shadow()) + " in for " + r.table()
                    + " (lock_timeout " + r.config.cutoverLockTimeout().toMillis() + "ms)");
            try {
                swapped = r.shortLock("cutover of " + r.table(),
                        conn -> Cutover.start(conn, r.n, r.original, r.rebuild, reverse, UNDER_LOCK_FACTOR * (long) r.config.cutoverMaxPending(),
                                r.logical ? r::drainSlot : null));
            } catch (TooManyPending e) {
                if (round >= r.config.cutoverAttempts()) {
                    throw new LockNotAcquired("cutover of " + r.table() + ": " + e.getMessage() + ", " + round + " times; the clients write "
                            + "faster than the log can be caught up between lock attempts. Nothing was changed.", e);
                }
                r.report.say("CUTOVER", e.getMessage() + "; let go of the lock, catching up again");
            }
        }
        List<TargetCatalog.Constraint> fks = swapped.foreignKeysIn();
        r.store.cutOver(r.planId, r.n.table(), r.config.retention(), reverse);
        r.doing.cutOver = true;
        if (r.logical) {
            LogicalCapture.drop(r.c, r.n);
        }
        r.doing.now("CUTOVER", "ALTER TABLE VALIDATE CONSTRAINT (foreign keys pointing in)");
        // past the swap there is nothing left to pause or cancel: a request only ends the hold
        r.reached(checkpoint());
        TableSwap.validateForeignKeys(r.c, fks);
        r.report.say("CUTOVER", r.table() + " now serves from the rebuilt table (" + swapped.drained()
                + " logged write(s) copied under the lock); the original is kept as "
                + r.n.qualified(r.n.rollback()) + " for " + r.config.retention() + (reverse ? " with reverse sync"
                : !castsBack ? " (no reverse cast: writes from now on are not carried back on rollback)"
                : " (reverse-sync is off: writes from now on are not carried back on rollback)"));
        MaterializedViews.finish(r.c, r.n, (conn, what, work) -> r.shortLock(conn, what, work));
        return null;
    }
}
