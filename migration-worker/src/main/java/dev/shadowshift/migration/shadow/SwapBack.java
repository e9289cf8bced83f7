package dev.shadowshift.migration.shadow;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Rollback after cutover: the rollback table takes the name back in one short-lock transaction (the same swap
 * as cutover, in reverse), the reverse-sync objects are dropped, and the rebuilt table is dropped after commit.
 * In the same transaction the materialized views' rollback copies take their names back and the rebuilt ones are
 * dropped ({@link MaterializedViews}; the engine refreshes the copies before, outside the lock).
 */
final class SwapBack {

    private SwapBack() {
    }

    static List<TargetCatalog.Constraint> start(Connection c, ShadowNames n) throws SQLException, ShadowFailure {
        MaterializedViews.SwapBackPlan matviews = MaterializedViews.beforeSwapBack(c, n);
        List<TargetCatalog.Constraint> fks = new TableSwap(n.schema(), n.table(), n.rollback(), n.retired(), n::retiredIndex,
                n::shadowIndex, List.of(n.reverseTrigger(), n.reverseTruncateTrigger())).run(c);
        try (Statement s = c.createStatement()) {
            StatementFailed.exec(s, "DROP FUNCTION IF EXISTS " + n.tool(n.reverseFunction()) + "()");
        }
        MaterializedViews.swapBack(c, n, matviews);
        return fks;
    }

    /** Rows written after cutover that could not be carried back (their keys), or -1 without reverse sync. */
    static long lostRows(Connection c, ShadowNames n) throws SQLException {
        if (!TargetCatalog.exists(c, ShadowNames.TOOL_SCHEMA, n.lostTable())) {
            return -1;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + n.tool(n.lostTable()))) {
            rs.next();
            return rs.getLong(1);
        }
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
