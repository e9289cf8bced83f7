package dev.shadowshift.migration.shadow;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * Rollback before cutover (cancel, failure): drops the capture triggers, their functions, the change log, the
 * backfill position and the shadow table.
 * The original was never touched beyond the triggers, so it goes on serving as if nothing happened.
 */
final class Abandon {

    private Abandon() {
    }

    /** @param originalExists false when the original is gone (then there are no triggers on it to drop) */
    static List<String> statements(ShadowNames n, boolean originalExists) {
        List<String> sql = new ArrayList<>();
        if (originalExists) {
            sql.add("DROP TRIGGER IF EXISTS " + quote(n.captureTrigger()) + " ON " + n.qualified(n.table()));
            sql.add("DROP TRIGGER IF EXISTS " + quote(n.captureTruncateTrigger()) + " ON " + n.qualified(n.table()));
        }
        sql.addAll(dropCapture(n));
        sql.add("DROP TABLE IF EXISTS " + n.qualified(n.shadow()));
        return sql;
    }

    /** The capture's functions, log and backfill position (the triggers go with the table's own DROP TRIGGER). */
    static List<String> dropCapture(ShadowNames n) {
        return List.of("DROP FUNCTION IF EXISTS " + n.tool(n.captureFunction()) + "()",
                "DROP FUNCTION IF EXISTS " + n.tool(n.captureTruncateFunction()) + "()",
                "DROP TABLE IF EXISTS " + n.tool(n.changeLog()),
                "DROP TABLE IF EXISTS " + n.tool(n.backfillPosition()));
    }

    /** Runs inside the caller's short-lock transaction. */
    static void rollback(Connection c, ShadowNames n) throws SQLException {
        boolean original = TargetCatalog.exists(c, n.schema(), n.table());
        MaterializedViews.dropNewOnShadow(c, n);
        // after a cutover the name belongs to the new table, whose triggers are not ours to drop here
        try (Statement s = c.createStatement()) {
            for (String sql : statements(n, original)) {
                StatementFailed.exec(s, sql);
            }
        }
    }
}
