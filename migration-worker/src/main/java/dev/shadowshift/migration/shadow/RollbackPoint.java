package dev.shadowshift.migration.shadow;

import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.migration.support.Announcements;
import dev.shadowshift.pg.TargetDatabases;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The rollback window after a cutover (shadowshift.migration.rollback-window): the original kept as the rollback point
 * while the keys written to the rebuilt table are captured ({@link RollbackWindow}), the replay and swap back on
 * {@code rollback}, the scheduled check that drains and bounds a window's slot, and the close when the window's time is
 * up, which drops the original, the capture and the slot. A phase of its own, so that another window can take its place.
 */
final class RollbackPoint {

    private static final Logger LOG = Logger.getLogger(RollbackPoint.class);

    /** The engine's short-lock transaction. */
    interface Lock {
        <T> T run(Connection c, String what, ShortLocks.Work<T> work) throws SQLException, ShadowFailure, InterruptedException;
    }

    private final TargetDatabases targets;
    private final ShadowStore store;
    private final PlanStore plans;
    private final MigrationConfig.Shadow config;
    private final Announcements announcements;
    private final long maxSlotWal;

    RollbackPoint(TargetDatabases targets, ShadowStore store, PlanStore plans, MigrationConfig.Shadow config, Announcements announcements,
                  long maxSlotWal) {
        this.maxSlotWal = maxSlotWal;
        this.targets = targets;
        this.store = store;
        this.plans = plans;
        this.config = config;
        this.announcements = announcements;
    }

    /** True when every changed column's new type casts back to its old one: then reverse sync can mirror writes. */
    static boolean reverseCastsExist(Connection c, TableShape original, ShadowRebuild rebuild) throws SQLException {
        for (ShadowRebuild.ColumnChange change : rebuild.changes()) {
            if (change.toType() != null && !Preflight.castExists(c, change.toType(), original.type(change.column()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Swaps the original back in for a rebuild that cut over (POST rollback), within its rollback window: the keys
     * written since cutover are replayed into the original in rounds while clients keep writing, then, under one short
     * lock of both tables, the rest is replayed and the tables swap back; the window's capture and slot go.
     *
     * @return what could not be carried back, in words, or null when nothing was lost
     * @throws RollbackWindowClosed when the window closed: nothing is changed
     */
    String swapBack(String target, String planId, ShadowRebuild rebuild, Lock lock) throws SQLException, ShadowFailure, InterruptedException {
        ShadowNames n = ShadowNames.of(planId, rebuild.schema(), rebuild.table());
        ShadowCheckpoint cp = store.find(planId, n.table()).orElseThrow();
        refuseAfterWindow(cp, plans.find(planId).map(StoredPlan::backupId).orElse(null));
        try (Connection c = targets.open(target); Connection side = targets.open(target)) {
            c.setAutoCommit(true);
            side.setAutoCommit(true);
            if (!ShadowEngine.advisoryLock(c, n)) {
                throw new TableBusy("another migration holds " + n.qualified(n.table()));
            }
            // read again under the advisory lock: the scheduled check may have closed the window meanwhile
            cp = store.find(planId, n.table()).orElseThrow();
            refuseAfterWindow(cp, plans.find(planId).map(StoredPlan::backupId).orElse(null));
            boolean captured = cp.reverseSync() && RollbackWindow.open(c, n);
            RollbackWindow.Replay replay = captured ? RollbackWindow.Replay.of(c, n, rebuild) : null;
            RollbackWindow.Lost lost = new RollbackWindow.Lost();
            long replayed = 0;
            if (captured) {
                // while clients write: the log shrinks to what the lock may replay (the rest is replayed under it)
                long t0 = System.nanoTime();
                RollbackWindow.drainSlot(c, side, n, DRAIN_ROUND);
                replayed += RollbackWindow.replay(c, n, replay, config.applyBatchSize(), config.cutoverMaxPending(), lost);
                LOG.infof("plan %s: rollback of %s: %d logged write(s) replayed into %s before the lock in %.3f s", planId,
                        n.qualified(n.table()), replayed, n.qualified(n.rollback()), (System.nanoTime() - t0) / 1e9);
            }
            MaterializedViews.refreshRollbackCopies(c, n);
            RollbackWindow.Lost[] underLock = {null};
            long[] lastRound = {0};
            List<TargetCatalog.Constraint> fks = lock.run(c, "swap back of " + n.qualified(n.table()), conn -> {
                underLock[0] = new RollbackWindow.Lost();
                lastRound[0] = 0;
                if (captured) {
                    try (Statement s = conn.createStatement()) {
                        StatementFailed.exec(s, "LOCK TABLE " + n.qualified(n.table()) + ", " + n.qualified(n.rollback())
                                + " IN ACCESS EXCLUSIVE MODE");
                    }
                    // no client can write now: what the slot and the log hold is the last of it
                    RollbackWindow.drainSlot(conn, side, n, DRAIN_ROUND);
                    lastRound[0] = RollbackWindow.replay(conn, n, replay, Integer.MAX_VALUE, 0, underLock[0]);
                }
                return SwapBack.start(conn, n);
            });
            lost.addAll(underLock[0]);
            replayed += lastRound[0];
            RollbackWindow.dropSlot(c, n);
            store.phase(planId, n.table(), ShadowCheckpoint.ROLLED_BACK);
            TableSwap.validateForeignKeys(c, fks);
            SwapBack.complete(c, n);
            LOG.infof("plan %s: %s swapped back; %d logged write(s) replayed, %d under the lock", planId, n.qualified(n.table()),
                    replayed, lastRound[0]);
            if (!captured) {
                return "writes made to " + n.qualified(n.table()) + " after cutover were not carried back (no cast from "
                        + rebuild.changes().stream().filter(ch -> ch.toType() != null).map(ch -> ch.column() + "'s " + ch.toType()).toList()
                        + " back to the original type, so the rollback window captured nothing): the table is as it was at cutover";
            }
            if (lost.count > 0) {
                return lost.count + " row(s) of " + n.qualified(n.table()) + " written after cutover could not be converted back and keep "
                        + "their value from before (key: reason): " + lost.sample.entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue()).collect(java.util.stream.Collectors.joining("; "))
                        + (lost.count > lost.sample.size() ? "; ..." : "");
            }
            return null;
        }
    }

    /** Changes one read of a window's slot takes. */
    private static final int DRAIN_ROUND = 20_000;

    /** The progress phase that says a rebuild's rollback window opened, and how long for. */
    static final String WINDOW_OPENED = "ROLLBACK_WINDOW_OPENED";

    /** The phase that says a plan's last rollback window closed (backup-worker stops pinning its backup). */
    static final String WINDOW_CLOSED = "ROLLBACK_WINDOW_CLOSED";

    private static void refuseAfterWindow(ShadowCheckpoint cp, String backupId) throws RollbackWindowClosed {
        boolean closed = cp.phase().equals(ShadowCheckpoint.CLEANED)
                || (cp.phase().equals(ShadowCheckpoint.CUT_OVER) && cp.rollbackUntil() != null
                && !cp.rollbackUntil().toInstant().isAfter(java.time.Instant.now()));
        if (closed) {
            throw new RollbackWindowClosed(RollbackWindowClosed.message(cp, backupId));
        }
    }

    /**
     * The scheduled check of every open rollback window: a logical window's slot is drained into its key log, so that
     * it holds back little WAL, and a window whose slot still holds back more than max-slot-wal is closed early (with
     * every other window of its plan: the plan can no longer be rolled back whole) rather than fill the server's disk;
     * then the windows whose time is up are closed.
     */
    void maintain(Lock lock) throws SQLException {
        for (ShadowCheckpoint cp : store.openWindows()) {
            StoredPlan plan = plans.find(cp.planId()).orElse(null);
            if (plan == null || cp.rollbackUntil() == null || !cp.rollbackUntil().toInstant().isAfter(java.time.Instant.now())) {
                continue;
            }
            ShadowNames n = ShadowNames.of(cp.planId(), cp.schema(), cp.table());
            String target = plan.plan().target();
            try (Connection c = targets.open(target); Connection side = targets.open(target)) {
                c.setAutoCommit(true);
                side.setAutoCommit(true);
                if (!ShadowEngine.advisoryLock(c, n) || !RollbackWindow.slotExists(c, n)) {
                    continue;
                }
                RollbackWindow.drainSlot(c, side, n, DRAIN_ROUND);
                long held = RollbackWindow.retainedWal(c, n);
                if (held > maxSlotWal) {
                    String reason = "the rollback window of " + n.qualified(n.table()) + " closed early: its replication slot "
                            + n.windowSlot() + " held back " + held + " bytes of WAL, past shadowshift.migration.max-slot-wal ("
                            + maxSlotWal + " bytes); the original table and the slot are dropped before the server's disk fills";
                    LOG.errorf("plan %s: %s", cp.planId(), reason);
                    for (ShadowCheckpoint other : store.forPlan(cp.planId())) {
                        if (other.phase().equals(ShadowCheckpoint.CUT_OVER)) {
                            store.closeWindowEarly(cp.planId(), other.table(), reason);
                        }
                    }
                }
            } catch (SQLException e) {
                LOG.warnf("plan %s: cannot look after the rollback window of %s: %s", cp.planId(), cp.table(), e.getMessage());
            }
        }
        cleanExpired(lock);
    }

    /** Closes the rollback windows whose time is up: the original table, the capture and the slot are dropped. */
    void cleanExpired(Lock lock) throws SQLException {
        for (ShadowCheckpoint cp : store.expired()) {
            StoredPlan plan = plans.find(cp.planId()).orElse(null);
            if (plan == null) {
                continue;
            }
            ShadowNames n = ShadowNames.of(cp.planId(), cp.schema(), cp.table());
            try (Connection c = targets.open(plan.plan().target())) {
                if (!ShadowEngine.advisoryLock(c, n)) {
                    continue;
                }
                MaterializedViews.finishAfterCutover(c, n, lock::run);
                c.setAutoCommit(true);
                lock.run(c, "closing the rollback window of " + n.qualified(n.table()), conn -> {
                    RetentionCleanup.run(conn, n);
                    return null;
                });
                // only once the capture is gone: a slot dropped before would lose the writes a retried close still needs
                RollbackWindow.dropSlot(c, n);
                store.phase(cp.planId(), cp.table(), ShadowCheckpoint.CLEANED);
                String closedAt = cp.rollbackUntil() == null ? "now" : cp.rollbackUntil().toInstant().toString();
                String why = cp.error() != null ? cp.error() : "its time was up";
                LOG.infof("plan %s: rollback window of %s closed at %s (%s): %s, its capture and slot dropped", cp.planId(),
                        n.qualified(n.table()), closedAt, why, n.qualified(n.rollback()));
                if (store.forPlan(cp.planId()).stream().noneMatch(other -> other.phase().equals(ShadowCheckpoint.CUT_OVER))) {
                    // the plan can no longer be rolled back: backup-worker stops pinning its backup
                    int steps = plan.plan().steps().size();
                    announcements.progress(new MigrationProgress(cp.planId(), plan.plan().target(), "COMPLETED", WINDOW_CLOSED,
                            steps, steps, "the rollback window closed at " + closedAt + " (" + why + "): the original table(s), "
                            + "the capture and its replication slot are dropped; the plan can no longer be rolled back (its backup "
                            + (plan.backupId() == null ? "" : plan.backupId() + " ") + "can be restored instead)",
                            null, null, null, null));
                }
            } catch (ShadowFailure | InterruptedException e) {
                LOG.warnf("plan %s: cannot drop rollback point of %s yet: %s", cp.planId(), cp.table(), e.getMessage());
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

}
