package dev.shadowshift.migration.shadow;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Rollback after cutover: the rollback table takes the name back in one short-lock transaction (the same swap
 * as cutover, in reverse, once the window's keys are replayed into it), the window's capture is dropped, and the
 * rebuilt table is dropped after commit.
 * In the same transaction the materialized views' rollback copies take their names back and the rebuilt ones are
 * dropped ({@link MaterializedViews}; the engine refreshes the copies before, outside the lock).
 */
final class SwapBack {

    private SwapBack() {
    }

    static List<TargetCatalog.Constraint> start(Connection c, ShadowNames n) throws SQLException, ShadowFailure {
        MaterializedViews.SwapBackPlan matviews = MaterializedViews.beforeSwapBack(c, n);
        List<String> ours = new java.util.ArrayList<>(RollbackWindow.triggers(n));
        ours.addAll(List.of(n.reverseTrigger(), n.reverseTruncateTrigger()));
        List<TargetCatalog.Constraint> fks = new TableSwap(n.schema(), n.table(), n.rollback(), n.retired(), n::retiredIndex,
                n::shadowIndex, ours).run(c);
        try (Statement s = c.createStatement()) {
            for (String sql : WindowSql.dropCapture(n)) {
                StatementFailed.exec(s, sql);
            }
            StatementFailed.exec(s, "DROP FUNCTION IF EXISTS " + n.tool(n.reverseFunction()) + "()");
        }
        MaterializedViews.swapBack(c, n, matviews);
        return fks;
    }

    /** After commit: the rebuilt table and the lost-keys table go. */
    static void complete(Connection c, ShadowNames n) throws SQLException {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            StatementFailed.exec(s, "DROP TABLE IF EXISTS " + n.qualified(n.retired()));
            StatementFailed.exec(s, "DROP TABLE IF EXISTS " + n.tool(n.lostTable()));
        }
    }
}
