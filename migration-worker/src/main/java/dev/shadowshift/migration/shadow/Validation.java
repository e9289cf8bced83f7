package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * CUTOVER, first step: the shadow must equal the converted original. Both are read in ONE REPEATABLE READ
 * snapshot, with EXCEPT both ways over the values as text (which also compares types without an equality operator,
 * such as json). Writes still waiting in the change log in that snapshot are the only rows allowed to differ, and
 * only them: a key that is not pending was last copied by a statement that saw every write to it this snapshot
 * sees, so any other difference is a real one. The pending ones are copied under the cutover's lock.
 */
final class Validation {

    /** What validation compared. */
    record Result(long rows, long pending) {
    }

    private Validation() {
    }

    static Result run(Connection c, ShadowNames n, TableShape shape, ShadowRebuild rebuild) throws SQLException, ValidationMismatch {
        String orig = ShadowSql.comparable(n.qualified(n.table()), shape, ShadowSql.byColumn(rebuild));
        String shadow = ShadowSql.comparableAsIs(n.qualified(n.shadow()), shape);
        List<Integer> keyColumns = new ArrayList<>();
        for (String k : shape.primaryKey()) {
            keyColumns.add(shape.columns().indexOf(shape.column(k).orElseThrow()));
        }
        StringBuilder match = new StringBuilder();
        for (int i = 0; i < keyColumns.size(); i++) {
            match.append(i == 0 ? "" : " AND ").append("p.k").append(i).append(" = d.c").append(keyColumns.get(i));
        }
        String notPending = " WHERE NOT EXISTS (SELECT 1 FROM pending p WHERE " + match + ")";
        String pending = "WITH pending AS (" + ShadowSql.pendingKeys(n, shape, rebuild) + ") ";
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            StatementFailed.exec(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            long pendingKeys = count(s, pending + "SELECT count(*) FROM pending");
            long missing = count(s, pending + "SELECT count(*) FROM (" + orig + " EXCEPT " + shadow + ") d" + notPending);
            long extra = count(s, pending + "SELECT count(*) FROM (" + shadow + " EXCEPT " + orig + ") d" + notPending);
            if (missing != 0 || extra != 0) {
                throw new ValidationMismatch(missing + " converted row(s) of the original are not in the shadow and "
                        + extra + " shadow row(s) are not in the original (beyond " + pendingKeys
                        + " key(s) still pending in the change log)");
            }
            long rows = count(s, "SELECT count(*) FROM " + n.qualified(n.shadow()));
            c.commit();
            return new Result(rows, pendingKeys);
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
