package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.support.SqlErrors;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * One statement of a shadow phase failed: keeps the server's SQLSTATE (so lock waits and connection loss are
 * still recognised as such) and adds the kind of statement, so that a failure can say what was being done.
 */
public final class StatementFailed extends SQLException {

    private final String kind;

    StatementFailed(String sql, SQLException cause) {
        super(cause.getMessage(), cause.getSQLState(), cause);
        this.kind = cause instanceof StatementFailed inner ? inner.kind : SqlErrors.statementKind(sql);
    }

    public String kind() {
        return kind;
    }

    /** Runs one statement of a phase; a failure names the statement's kind. */
    static void exec(Statement s, String sql) throws StatementFailed {
        try {
            s.execute(sql);
        } catch (SQLException e) {
            throw new StatementFailed(sql, e);
        }
    }
}
