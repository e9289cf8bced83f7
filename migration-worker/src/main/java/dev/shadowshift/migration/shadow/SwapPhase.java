package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.PlanControl;
import dev.shadowshift.migration.store.StoredPlan;

import java.sql.SQLException;
import java.util.List;

/**
 * CUTOVER: the backup gate, then the swap under a short lock with the last logged writes copied under it
 * ({@link Cutover}), retried while too many writes arrive during the lock wait; then the foreign keys pointing in are
 * validated and the materialized views swapped onto the rebuilt table. The original stays as the rollback point for the
 * rollback window, whose capture starts in the swap's transaction ({@link RollbackWindow}).
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
        java.util.Optional<RollbackWindow.Choice> window = RollbackWindow.choose(r.c, r.n, castsBack, r.window, r.windowCapture);
        RollbackWindow.Mode mode = window.map(RollbackWindow.Choice::mode).orElse(null);
        if (mode == RollbackWindow.Mode.LOGICAL) {
            // before the lock: a slot cannot be made in a transaction that wrote, and waits for running ones to end
            try (java.sql.Connection sc = r.endpoint.connect(r.endpoint.database())) {
                sc.setAutoCommit(true);
                RollbackWindow.createSlot(sc, r.n);
            }
        }
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
                        conn -> Cutover.start(conn, r.n, r.original, r.rebuild, mode, UNDER_LOCK_FACTOR * (long) r.config.cutoverMaxPending(),
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
        r.store.cutOver(r.planId, r.n.table(), r.window, mode != null);
        r.doing.cutOver = true;
        if (r.logical) {
            LogicalCapture.drop(r.c, r.n);
        }
        r.doing.now("CUTOVER", "ALTER TABLE VALIDATE CONSTRAINT (foreign keys pointing in)");
        // past the swap there is nothing left to pause or cancel: a request only ends the hold
        r.reached(checkpoint());
        TableSwap.validateForeignKeys(r.c, fks);
        r.report.say("CUTOVER", r.table() + " now serves from the rebuilt table (" + swapped.drained()
                + " logged write(s) copied under the lock)");
        ShadowCheckpoint cp = r.checkpoint();
        String until = cp.rollbackUntil() == null ? "?" : cp.rollbackUntil().toInstant().toString();
        if (r.window.isZero() || r.window.isNegative()) {
            r.report.say(RollbackPoint.WINDOW_OPENED, "no rollback window (rollback-window is " + r.window + "): the original table is dropped by the next scheduled check");
        } else {
            r.report.say(RollbackPoint.WINDOW_OPENED, "rollback window open until " + until + " (" + r.window + ", shadowshift.migration.rollback-window): "
                    + "the original is kept as " + r.n.qualified(r.n.rollback()) + (window.isEmpty()
                    ? "; no changed type casts back, so writes from now on are not carried back on rollback"
                    : mode == RollbackWindow.Mode.LOGICAL
                    ? "; the keys written from now on are read from replication slot " + r.n.windowSlot() + " (" + window.get().why()
                    + "; nothing runs in the clients' writes) and replayed into it on rollback"
                    : "; the keys written from now on are logged by a key-only trigger (" + window.get().why()
                    + ") and replayed into it on rollback") + "; POST /migrations/" + r.planId + "/rollback until then");
        }
        MaterializedViews.finish(r.c, r.n, (conn, what, work) -> r.shortLock(conn, what, work));
        return null;
    }
}
