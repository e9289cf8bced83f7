package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * CUTOVER, first step: the shadow must equal the converted original. Both are read in ONE REPEATABLE READ
 * snapshot; the synchronous capture trigger writes both tables in the writer's own transaction, so any snapshot
 * sees them consistent even under load. Exact row counts, then EXCEPT both ways over the values as text (which
 * also compares types without an equality operator, such as json).
 */
final class Validation {

    private Validation() {
    }

    static void run(Connection c, ShadowNames n, TableShape shape, ShadowRebuild rebuild) throws SQLException, ValidationMismatch {
        String orig = ShadowSql.comparable(n.qualified(n.table()), shape, ShadowSql.byColumn(rebuild));
        String shadow = ShadowSql.comparableAsIs(n.qualified(n.shadow()), shape);
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            StatementFailed.exec(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            long origRows = count(s, "SELECT count(*) FROM " + n.qualified(n.table()));
            long shadowRows = count(s, "SELECT count(*) FROM " + n.qualified(n.shadow()));
            if (origRows != shadowRows) {
                throw new ValidationMismatch("the shadow holds " + shadowRows + " rows, the original " + origRows);
            }
            long missing = count(s, "SELECT count(*) FROM (" + orig + " EXCEPT " + shadow + ") d");
            long extra = count(s, "SELECT count(*) FROM (" + shadow + " EXCEPT " + orig + ") d");
            if (missing != 0 || extra != 0) {
                throw new ValidationMismatch(missing + " converted row(s) of the original are not in the shadow and "
                        + extra + " shadow row(s) are not in the original");
            }
            c.commit();
        } finally {
            ShortLocks.rollbackQuietly(c);
            c.setAutoCommit(true);
        }
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
