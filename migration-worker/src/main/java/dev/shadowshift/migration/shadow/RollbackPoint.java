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
import java.util.List;

/**
 * The rollback window after a cutover: the original kept as the rollback point (in sync through reverse triggers
 * where every changed type casts back), the swap back on {@code rollback}, and the point dropped when its retention
 * ends. A phase of its own, so that another rollback window can take its place.
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

    RollbackPoint(TargetDatabases targets, ShadowStore store, PlanStore plans, MigrationConfig.Shadow config, Announcements announcements) {
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
     * Swaps the original back in for a rebuild that cut over (POST rollback): the same short-lock swap.
     *
     * @return what could not be carried back, in words, or null when nothing was lost
     */
    String swapBack(String target, String planId, ShadowRebuild rebuild, Lock lock) throws SQLException, ShadowFailure, InterruptedException {
        ShadowNames n = ShadowNames.of(planId, rebuild.schema(), rebuild.table());
        ShadowCheckpoint cp = store.find(planId, n.table()).orElseThrow();
        try (Connection c = targets.open(target)) {
            c.setAutoCommit(true);
            if (!ShadowEngine.advisoryLock(c, n)) {
                throw new TableBusy("another migration holds " + n.qualified(n.table()));
            }
            long lost = SwapBack.lostRows(c, n);
            MaterializedViews.refreshRollbackCopies(c, n);
            List<TargetCatalog.Constraint> fks = lock.run(c, "swap back of " + n.qualified(n.table()), conn -> SwapBack.start(conn, n));
            store.phase(planId, n.table(), ShadowCheckpoint.ROLLED_BACK);
            TableSwap.validateForeignKeys(c, fks);
            SwapBack.complete(c, n);
            if (!cp.reverseSync()) {
                return "reverse sync was off (reverse-sync disabled, or no reverse cast for "
                        + rebuild.changes().stream().map(ShadowRebuild.ColumnChange::column).toList() + ")"
                        + ": writes made to " + n.qualified(n.table()) + " after cutover were not carried back";
            }
            return lost > 0 ? lost + " row(s) written after cutover could not be cast back and were not carried back" : null;
        }
    }

    /** Drops the rollback points whose retention ended. */
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
                lock.run(c, "dropping the rollback point of " + n.qualified(n.table()), conn -> {
                    RetentionCleanup.run(conn, n);
                    return null;
                });
                store.phase(cp.planId(), cp.table(), ShadowCheckpoint.CLEANED);
                LOG.infof("plan %s: rollback point %s dropped after its retention", cp.planId(), n.qualified(n.rollback()));
                if (store.forPlan(cp.planId()).stream().noneMatch(other -> other.phase().equals(ShadowCheckpoint.CUT_OVER))) {
                    // the plan can no longer be rolled back: backup-worker stops pinning its backup
                    int steps = plan.plan().steps().size();
                    announcements.progress(new MigrationProgress(cp.planId(), plan.plan().target(), "COMPLETED", "ROLLBACK_WINDOW_CLOSED",
                            steps, steps, "the last rollback point was dropped after its retention; the plan can no longer be rolled back",
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
