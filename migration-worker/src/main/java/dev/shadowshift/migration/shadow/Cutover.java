package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * CUTOVER: in one short-lock transaction the writes still in the change log are copied, the shadow takes the
 * original's name (see {@link TableSwap}), the original stays as the rollback table, the capture objects are
 * dropped, the new NOT NULLs are set (cheap: the validated CHECK proves them), and, when every changed type can be cast back, reverse-sync triggers mirror each
 * write on the new table into the rollback table so that swapping back loses nothing. Rows whose reverse cast
 * fails are recorded in the lost table instead of failing the client's write. Each materialized view over the table
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

    /** @param maxPending the most logged writes the swap copies under its lock; with more it gives up, nothing changed */
    /** Logical capture's last read of the slot, under the lock (null for trigger capture). */
    interface Drain {
        void into(Connection c) throws SQLException;
    }

    static Swapped start(Connection c, ShadowNames n, TableShape original, ShadowRebuild rebuild, boolean reverseSync, long maxPending,
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
            if (reverseSync) {
                TableShape now = TargetCatalog.shape(c, n.schema(), n.table()).orElseThrow();
                List<ShadowRebuild.ColumnChange> back = new ArrayList<>();
                for (ShadowRebuild.ColumnChange change : rebuild.changes()) {
                    if (change.toType() != null) {
                        back.add(new ShadowRebuild.ColumnChange(change.column(), original.type(change.column()), change.toType(), false));
                    }
                }
                Map<String, ShadowRebuild.ColumnChange> reverse = ShadowSql.byColumn(new ShadowRebuild(n.schema(), n.table(), back));
                StatementFailed.exec(s, "CREATE TABLE IF NOT EXISTS " + n.tool(n.lostTable())
                        + " (key text PRIMARY KEY, reason text, at timestamptz NOT NULL DEFAULT now())");
                StatementFailed.exec(s, ShadowSql.mirrorFunction(n.tool(n.reverseFunction()), n.qualified(n.rollback()), now, reverse,
                        n.tool(n.lostTable())));
                for (String t : ShadowSql.mirrorTriggers(n.qualified(n.table()), n.reverseTrigger(), n.reverseTruncateTrigger(),
                        n.tool(n.reverseFunction()))) {
                    StatementFailed.exec(s, t);
                }
            }
        }
        return new Swapped(fks, drained);
    }
}
