package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * CUTOVER: in one short-lock transaction the writes still in the change log are copied, the shadow takes the
 * original's name (see {@link TableSwap}), the original stays as the rollback table, the capture objects are
 * dropped, the new NOT NULLs are set (cheap: the validated CHECK proves them), and the rollback window starts
 * capturing the keys written to the rebuilt table ({@link RollbackWindow}; its slot was made before this transaction,
 * as a slot cannot be made in one that wrote). Each materialized view over the table
 * gets an empty counterpart on the rebuilt table here, and is swapped for it after commit ({@link MaterializedViews}).
 */
final class Cutover {

    private Cutover() {
    }

    /** True when an earlier run's cutover already committed (its checkpoint may not have been written). */
    static boolean alreadyDone(Connection c, ShadowNames n) throws SQLException {
        return !TargetCatalog.exists(c, n.schema(), n.shadow()) && TargetCatalog.exists(c, n.schema(), n.rollback());
    }

    /**
     * What the swap did.
     *
     * @param foreignKeysIn the foreign keys pointing in, to validate after commit
     * @param drained       writes copied from the change log under the lock
     */
    record Swapped(List<TargetCatalog.Constraint> foreignKeysIn, long drained) {
    }

    /** Logical capture's last read of the slot, under the lock (null for trigger capture). */
    interface Drain {
        void into(Connection c) throws SQLException;
    }

    /**
     * @param window     how the rollback window captures writes to the rebuilt table (null: it does not)
     * @param maxPending the most logged writes the swap copies under its lock; with more it gives up, nothing changed
     */
    static Swapped start(Connection c, ShadowNames n, TableShape original, ShadowRebuild rebuild, RollbackWindow.Mode window, long maxPending,
                         Drain drain) throws SQLException, CaptureLost, TooManyPending {
        try (Statement s = c.createStatement()) {
            StatementFailed.exec(s, "LOCK TABLE " + n.qualified(n.table()) + ", " + n.qualified(n.shadow()) + " IN ACCESS EXCLUSIVE MODE");
        }
        if (drain != null) {
            // no client can write now: the slot's changes up to here are the last ones
            drain.into(c);
        }
        if (!ChangeLog.intact(c, n)) {
            throw new CaptureLost("the change log of " + n.qualified(n.table()) + " was emptied since validation (the server "
                    + "restarted: unlogged tables do not survive a crash); nothing was swapped");
        }
        // the writes that arrived while the lock was awaited are copied under it: a lock that took several tries
        // can find too many, and copying them would hold up every client; let go and catch up first instead
        long pending = ChangeLog.pending(c, n);
        if (pending > maxPending) {
            throw new TooManyPending(pending + " writes arrived in the change log of " + n.qualified(n.table())
                    + " while the cutover waited for its lock (more than " + maxPending + " to copy under it)");
        }
        // no client can write now: what the log holds is the last of it
        long drained = ChangeLog.applyOnce(c, n, original, rebuild, null, null, true, null).applied();
        // read while the table has its name: the definitions name it, and so bind to the rebuilt table below
        List<TargetCatalog.MaterializedView> matviews = TargetCatalog.materializedViews(c, n.schema(), n.table());
        List<TargetCatalog.Constraint> fks = new TableSwap(n.schema(), n.table(), n.shadow(), n.rollback(), n::shadowIndex,
                n::retiredIndex, List.of(n.captureTrigger(), n.captureTruncateTrigger())).run(c);
        // empty, so nothing is refreshed under this lock; they are filled and swapped in after commit
        MaterializedViews.createNew(c, n, matviews);
        try (Statement s = c.createStatement()) {
            for (String drop : Abandon.dropCapture(n)) {
                StatementFailed.exec(s, drop);
            }
            for (ShadowRebuild.ColumnChange change : rebuild.changes()) {
                if (change.setNotNull()) {
                    StatementFailed.exec(s, "ALTER TABLE " + n.qualified(n.table()) + " ALTER COLUMN " + quote(change.column()) + " SET NOT NULL");
                    StatementFailed.exec(s, "ALTER TABLE " + n.qualified(n.table()) + " DROP CONSTRAINT IF EXISTS " + quote(n.notNullCheck(change.column())));
                }
            }
        }
        if (window != null) {
            RollbackWindow.startInCutover(c, n, window);
        }
        return new Swapped(fks, drained);
    }
}
