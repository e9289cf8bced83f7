package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;

import java.util.List;
import java.util.Map;

import static dev.shadowshift.migration.shadow.ShadowSql.castExpression;
import static dev.shadowshift.migration.shadow.ShadowSql.columnList;
import static dev.shadowshift.migration.shadow.ShadowSql.dollarQuote;
import static dev.shadowshift.migration.shadow.ShadowSql.keyPositions;
import static dev.shadowshift.migration.shadow.ShadowSql.keyValues;
import static dev.shadowshift.migration.shadow.ShadowSql.list;
import static dev.shadowshift.migration.shadow.ShadowSql.valuePositions;
import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * The statements of the rollback window ({@link RollbackWindow}), as pure text: the key log, the key-only log trigger,
 * and the replay of logged keys from the rebuilt table into the rollback table. {@code shape} is always the rebuilt
 * table's (it serves under the table's name during the window), {@code back} the reverse conversions (each changed
 * column to its original type).
 */
final class WindowSql {

    private WindowSql() {
    }

    /**
     * The key log, in the tool's schema: the old and the new key of each write, in the rebuilt table's key types. A
     * logged table (not UNLOGGED like the change log before cutover): it must outlive a server crash for as long as the
     * window is open, since nothing could tell which rows a lost log held. No index: it is appended to and consumed whole.
     */
    static String createLog(ShadowNames n, TableShape shape) {
        List<Integer> positions = keyPositions(shape);
        return "CREATE TABLE IF NOT EXISTS " + n.tool(n.windowLog()) + " AS SELECT "
                + list(positions, i -> "o." + quote(shape.primaryKey().get(i)) + " AS old_" + i) + ", "
                + list(positions, i -> "o." + quote(shape.primaryKey().get(i)) + " AS new_" + i)
                + " FROM " + n.qualified(n.table()) + " o WITH NO DATA";
    }

    /** Appends one log row: the old and the new key, as text per key column (NULL for a missing side). */
    static String insertKey(ShadowNames n, TableShape shape) {
        List<Integer> positions = keyPositions(shape);
        return "INSERT INTO " + n.tool(n.windowLog()) + " (" + list(positions, i -> "old_" + i) + ", "
                + list(positions, i -> "new_" + i) + ") VALUES (" + list(shape.primaryKey(), k -> "?::" + shape.type(k))
                + ", " + list(shape.primaryKey(), k -> "?::" + shape.type(k)) + ")";
    }

    /**
     * The key-only log trigger's function: one appended row per write with OLD's and NEW's key, nothing else, the same
     * shape and reasoning as the capture before cutover ({@link ShadowSql#captureFunction}): no branch, no search_path
     * clause (it names only a schema-qualified table and record fields), SECURITY DEFINER.
     */
    static String logFunction(ShadowNames n, TableShape shape) {
        List<Integer> positions = keyPositions(shape);
        String body = "BEGIN\n  INSERT INTO " + n.tool(n.windowLog()) + " ("
                + list(positions, i -> "old_" + i) + ", " + list(positions, i -> "new_" + i) + ") VALUES ("
                + list(shape.primaryKey(), k -> "OLD." + quote(k)) + ", " + list(shape.primaryKey(), k -> "NEW." + quote(k))
                + ");\n  RETURN NULL;\nEND";
        return "CREATE OR REPLACE FUNCTION " + n.tool(n.windowFunction()) + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS "
                + dollarQuote(body);
    }

    /** TRUNCATE of the rebuilt table: the rollback table and the key log are emptied with it (then it matches again). */
    static String truncateFunction(ShadowNames n) {
        return "CREATE OR REPLACE FUNCTION " + n.tool(n.windowTruncateFunction()) + "() RETURNS trigger LANGUAGE plpgsql"
                + " SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS "
                + dollarQuote("BEGIN\n  " + truncateRollback(n) + ";\n  RETURN NULL;\nEND");
    }

    static String truncateRollback(ShadowNames n) {
        return "TRUNCATE " + n.qualified(n.rollback()) + ", " + n.tool(n.windowLog());
    }

    static List<String> logTriggers(ShadowNames n) {
        return List.of(
                "CREATE TRIGGER " + quote(n.windowTrigger()) + " AFTER INSERT OR UPDATE OR DELETE ON " + n.qualified(n.table())
                        + " FOR EACH ROW EXECUTE FUNCTION " + n.tool(n.windowFunction()) + "()",
                "CREATE TRIGGER " + quote(n.windowTruncateTrigger()) + " AFTER TRUNCATE ON " + n.qualified(n.table())
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + n.tool(n.windowTruncateFunction()) + "()");
    }

    /** Everything of the window's capture in the tool's schema (the triggers go with DROP TRIGGER on the table). */
    static List<String> dropCapture(ShadowNames n) {
        return List.of("DROP FUNCTION IF EXISTS " + n.tool(n.windowFunction()) + "()",
                "DROP FUNCTION IF EXISTS " + n.tool(n.windowTruncateFunction()) + "()",
                "DROP TABLE IF EXISTS " + n.tool(n.windowLog()));
    }

    /**
     * One replay round: takes up to {@code LIMIT ?} log rows and, for every distinct key among them, writes the
     * rebuilt table's row as it is now, converted back, into the rollback table (upsert), or deletes the rollback
     * table's row when the rebuilt table has none. One statement and so one snapshot: a write committed after it keeps
     * its log row for the next round. A value that cannot be converted back fails the whole statement; the caller then
     * replays the round's keys one by one ({@link #replayKey}). Binds: limit. Returns the log rows taken and the keys.
     */
    static String replayRound(ShadowNames n, TableShape shape, Map<String, ShadowRebuild.ColumnChange> back) {
        List<String> pk = shape.primaryKey();
        List<Integer> positions = keyPositions(shape);
        String log = n.tool(n.windowLog());
        String taken = "taken AS (DELETE FROM " + log + " WHERE ctid = ANY (ARRAY(SELECT ctid FROM " + log + " LIMIT ?)) RETURNING *),\n";
        String keys = "keys AS (SELECT " + list(positions, i -> "old_" + i + " AS " + quote(pk.get(i))) + " FROM taken WHERE old_0 IS NOT NULL"
                + " UNION SELECT " + list(positions, i -> "new_" + i) + " FROM taken WHERE new_0 IS NOT NULL),\n";
        return "WITH " + taken + keys + writeBack(n, shape, back) + "SELECT (SELECT count(*) FROM taken), (SELECT count(*) FROM keys)";
    }

    /**
     * The log rows of one round, for replaying its keys one by one: ctid, then the old and the new key as text.
     * Binds: limit.
     */
    static String peekRound(ShadowNames n, TableShape shape) {
        List<Integer> positions = keyPositions(shape);
        return "SELECT ctid::text, " + list(positions, i -> "old_" + i + "::text") + ", " + list(positions, i -> "new_" + i + "::text")
                + " FROM " + n.tool(n.windowLog()) + " LIMIT ?";
    }

    /**
     * One key's replay, as {@link #replayRound} does it for many, taking the given log rows. Binds: the log rows'
     * ctids (text[]), then the key as text per key column.
     */
    static String replayKey(ShadowNames n, TableShape shape, Map<String, ShadowRebuild.ColumnChange> back) {
        List<String> pk = shape.primaryKey();
        String taken = "taken AS (DELETE FROM " + n.tool(n.windowLog()) + " WHERE ctid = ANY (?::text[]::tid[]) RETURNING 1),\n";
        String keys = "keys AS (SELECT " + list(pk, k -> "?::" + shape.type(k) + " AS " + quote(k)) + "),\n";
        return "WITH " + taken + keys + writeBack(n, shape, back) + "SELECT (SELECT count(*) FROM taken), (SELECT count(*) FROM keys)";
    }

    /** Drops the given log rows: the caller could not replay their key (and says so). Binds: ctids (text[]). */
    static String forget(ShadowNames n) {
        return "DELETE FROM " + n.tool(n.windowLog()) + " WHERE ctid = ANY (?::text[]::tid[])";
    }

    /** The CTEs that read each key of {@code keys} in the rebuilt table and write it back into the rollback table. */
    private static String writeBack(ShadowNames n, TableShape shape, Map<String, ShadowRebuild.ColumnChange> back) {
        List<String> pk = shape.primaryKey();
        String source = n.qualified(n.table());
        String target = n.qualified(n.rollback());
        List<String> nonKey = shape.insertable().stream().map(TableShape.Column::name).filter(c -> !pk.contains(c)).toList();
        String onConflict = nonKey.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + list(nonKey, c -> quote(c) + " = EXCLUDED." + quote(c));
        // lookups are LATERAL subqueries with LIMIT 1, one primary-key probe per key (as in ShadowSql.applyChanges)
        return "found AS (SELECT d.*, r.* FROM keys d LEFT JOIN LATERAL (SELECT true AS ss_present, "
                + list(valuePositions(shape), i -> castExpression("s." + quote(shape.insertable().get(i).name()),
                        back.get(shape.insertable().get(i).name())) + " AS ss_v" + i)
                + " FROM " + source + " s WHERE ROW(" + list(pk, k -> "s." + quote(k)) + ") = ROW(" + list(pk, k -> "d." + quote(k))
                + ") LIMIT 1) r ON true),\n"
                + "removed AS (DELETE FROM " + target + " t WHERE t.ctid = ANY (ARRAY(SELECT x.ctid FROM found d CROSS JOIN LATERAL"
                + " (SELECT t2.ctid FROM " + target + " t2 WHERE ROW(" + list(pk, k -> "t2." + quote(k)) + ") = ROW("
                + keyValues(shape, back, "d.") + ") LIMIT 1) x WHERE d.ss_present IS NULL))),\n"
                + "copied AS (INSERT INTO " + target + " (" + columnList(shape) + ") OVERRIDING SYSTEM VALUE SELECT "
                + list(valuePositions(shape), i -> "f.ss_v" + i) + " FROM found f WHERE f.ss_present"
                + " ON CONFLICT (" + list(pk, k -> quote(k)) + ") " + onConflict + ")\n";
    }
}
