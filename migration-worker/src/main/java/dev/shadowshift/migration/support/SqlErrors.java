package dev.shadowshift.migration.support;

import java.sql.SQLException;
import java.util.Set;

/**
 * Sorts a failed statement by its SQLSTATE into "try again later" (the connection, the server or a concurrent
 * transaction got in the way; the same statement may well succeed in a moment) and "this will fail again" (the
 * statement itself is wrong for this data or this schema: syntax, a failing cast, a duplicate key, an object that
 * cannot be re-created). Only the first kind is worth the retry budget.
 */
public final class SqlErrors {

    /** 40001 serialization, 40P01 deadlock, 55P03 lock_not_available, 57P01-03 shutdown / cannot connect now, 53300 too many connections. */
    private static final Set<String> TRANSIENT = Set.of("40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300");

    private SqlErrors() {
    }

    /** The first SQLSTATE found along the cause chain, or null. */
    public static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    public static boolean isTransient(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || TRANSIENT.contains(sqlState));
    }

    /** True for class 08 (connection) and the states in {@link #TRANSIENT}; false without a SQLSTATE. */
    public static boolean isTransient(Throwable e) {
        return isTransient(sqlState(e));
    }

    /** The server's message on one line, with its SQLSTATE: what a user needs to see in a FAILED event. */
    public static String describe(SQLException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s*\\R\\s*", "; ").trim() + " [SQLSTATE " + sqlState(e) + "]";
    }

    /**
     * The kind of a statement, without its names or values: the leading keywords, e.g. {@code CREATE UNIQUE INDEX
     * CONCURRENTLY}, {@code ALTER TABLE VALIDATE CONSTRAINT}, {@code CREATE VIEW}.
     */
    public static String statementKind(String sql) {
        if (sql == null) {
            return "statement";
        }
        // quoted identifiers (and qualified ones) and literals are not part of the kind
        String bare = sql.replaceAll("\"(?:[^\"]|\"\")*\"(?:\\.\"(?:[^\"]|\"\")*\")*", " ")
                .replaceAll("'(?:[^']|'')*'", " ");
        StringBuilder kind = new StringBuilder();
        int words = 0;
        for (String token : bare.trim().split("\\s+")) {
            if (!token.matches("[A-Z_]+")) {
                continue;
            }
            if (words > 0 && (token.equals("AS") || token.equals("ON") || token.equals("USING") || token.equals("TO")
                    || token.equals("FROM") || token.equals("VALUES") || token.equals("WHERE"))) {
                break;
            }
            if (token.equals("IF") || token.equals("NOT") || token.equals("EXISTS")) {
                continue;
            }
            kind.append(words++ == 0 ? "" : " ").append(token);
            if (words == 6) {
                break;
            }
        }
        return kind.length() == 0 ? "statement" : kind.toString();
    }
}
