package dev.shadowshift.migration.shadow;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * The rollback window closed: its capture (the key-only log trigger, its functions and the key log), the materialized
 * views' rollback copies, the rollback table, and what an earlier version's reverse sync left (its triggers, function
 * and lost-keys table) are dropped. The window's slot is dropped after commit ({@link RollbackWindow#dropSlot}).
 */
final class RetentionCleanup {

    private RetentionCleanup() {
    }

    /** Runs inside the caller's short-lock transaction (DROP TRIGGER locks the serving table briefly). */
    static void run(Connection c, ShadowNames n) throws SQLException, ShadowFailure {
        MaterializedViews.dropRollbackCopies(c, n);
        RollbackWindow.dropCapture(c, n);
        try (Statement s = c.createStatement()) {
            if (TargetCatalog.exists(c, n.schema(), n.table())) {
                s.execute("DROP TRIGGER IF EXISTS " + quote(n.reverseTrigger()) + " ON " + n.qualified(n.table()));
                s.execute("DROP TRIGGER IF EXISTS " + quote(n.reverseTruncateTrigger()) + " ON " + n.qualified(n.table()));
            }
            s.execute("DROP FUNCTION IF EXISTS " + n.tool(n.reverseFunction()) + "()");
            s.execute("DROP TABLE IF EXISTS " + n.qualified(n.rollback()));
            s.execute("DROP TABLE IF EXISTS " + n.tool(n.lostTable()));
        }
    }
}
