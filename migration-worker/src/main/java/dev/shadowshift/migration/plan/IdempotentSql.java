package dev.shadowshift.migration.plan;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a step's statement safe to run twice. Execution commits per table and records progress in the state
 * database afterwards, so a crash in between replays the last committed group on restart; with IF [NOT] EXISTS
 * that replay is a no-op instead of a failure.
 *
 * <p>Only the statement's leading keywords are rewritten (a regex anchored at the start, or at the first
 * ADD/DROP COLUMN clause), never names or literals. Kinds that are naturally repeatable (SET/DROP NOT NULL,
 * ALTER COLUMN TYPE to the same type) are left as they are.
 */
public final class IdempotentSql {

    private static final Pattern CREATE_SCHEMA = Pattern.compile(
            "^(\\s*CREATE\\s+SCHEMA\\s+)(?!IF\\s+NOT\\s+EXISTS\\b)", Pattern.CASE_INSENSITIVE);
    private static final Pattern CREATE_TABLE = Pattern.compile(
            "^(\\s*CREATE\\s+(?:UNLOGGED\\s+)?TABLE\\s+)(?!IF\\s+NOT\\s+EXISTS\\b)", Pattern.CASE_INSENSITIVE);
    /** Only named indexes can take IF NOT EXISTS: {@code CREATE INDEX ON t} is left alone. */
    private static final Pattern CREATE_INDEX = Pattern.compile(
            "^(\\s*CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:CONCURRENTLY\\s+)?)(?!IF\\s+NOT\\s+EXISTS\\b)(?!ON\\s)", Pattern.CASE_INSENSITIVE);
    private static final Pattern ADD_COLUMN = Pattern.compile(
            "^(\\s*ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?(?:\"(?:[^\"]|\"\")*\"|[^\\s\"]+)(?:\\s*\\.\\s*(?:\"(?:[^\"]|\"\")*\"|[^\\s\"]+))?\\s+ADD\\s+COLUMN\\s+)(?!IF\\s+NOT\\s+EXISTS\\b)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern DROP_COLUMN = Pattern.compile(
            "^(\\s*ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?(?:\"(?:[^\"]|\"\")*\"|[^\\s\"]+)(?:\\s*\\.\\s*(?:\"(?:[^\"]|\"\")*\"|[^\\s\"]+))?\\s+DROP\\s+COLUMN\\s+)(?!IF\\s+EXISTS\\b)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern DROP_TABLE = Pattern.compile(
            "^(\\s*DROP\\s+TABLE\\s+)(?!IF\\s+EXISTS\\b)", Pattern.CASE_INSENSITIVE);
    private static final Pattern DROP_INDEX = Pattern.compile(
            "^(\\s*DROP\\s+INDEX\\s+(?:CONCURRENTLY\\s+)?)(?!IF\\s+EXISTS\\b)", Pattern.CASE_INSENSITIVE);

    private IdempotentSql() {
    }

    public static String of(String kind, String sql) {
        return switch (kind) {
            case "CREATE_SCHEMA" -> insert(CREATE_SCHEMA, sql, "IF NOT EXISTS ");
            case "CREATE_TABLE" -> insert(CREATE_TABLE, sql, "IF NOT EXISTS ");
            case "CREATE_INDEX" -> insert(CREATE_INDEX, sql, "IF NOT EXISTS ");
            case "ADD_COLUMN" -> insert(ADD_COLUMN, sql, "IF NOT EXISTS ");
            case "DROP_COLUMN" -> insert(DROP_COLUMN, sql, "IF EXISTS ");
            case "DROP_TABLE" -> insert(DROP_TABLE, sql, "IF EXISTS ");
            case "DROP_INDEX" -> insert(DROP_INDEX, sql, "IF EXISTS ");
            default -> sql;
        };
    }

    /** True for statements PostgreSQL refuses to run inside a transaction block. */
    private static final Pattern CONCURRENTLY = Pattern.compile(
            "^\\s*(?:CREATE\\s+(?:UNIQUE\\s+)?INDEX|DROP\\s+INDEX|REINDEX(?:\\s+\\w+)?)\\s+CONCURRENTLY\\b",
            Pattern.CASE_INSENSITIVE);

    /** True for statements PostgreSQL refuses to run inside a transaction block (the CONCURRENTLY forms). */
    public static boolean needsOwnTransaction(String sql) {
        return CONCURRENTLY.matcher(sql).find();
    }

    private static String insert(Pattern pattern, String sql, String words) {
        Matcher m = pattern.matcher(sql);
        if (!m.find()) {
            return sql;
        }
        return sql.substring(0, m.end(1)) + words + sql.substring(m.end(1));
    }
}
