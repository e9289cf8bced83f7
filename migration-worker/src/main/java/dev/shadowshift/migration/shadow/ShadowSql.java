package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;

import dev.shadowshift.operations.AlterColumnType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * Every statement of the shadow path, as pure text built from the table's shape and the rebuild. Identifiers go
 * through SqlIdentifiers; types are format_type's own spelling (the live catalog's, or the one the planner had the
 * server give the new type); values are bound parameters; a conversion is the operation's own cast.
 */
public final class ShadowSql {

    private ShadowSql() {
    }

    /** {@code CAST(source AS newtype)} for a type change, the source itself otherwise. */
    public static String castExpression(String source, ShadowRebuild.ColumnChange change) {
        if (change == null || change.toType() == null) {
            return source;
        }
        return AlterColumnType.castExpression(source, change.toType());
    }

    public static String createShadowTable(ShadowNames n) {
        return "CREATE TABLE " + n.qualified(n.shadow()) + " (LIKE " + n.qualified(n.table())
                + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE"
                + " INCLUDING COMMENTS INCLUDING COMPRESSION INCLUDING STATISTICS)";
    }

    public static List<String> alterShadowTypes(ShadowNames n, ShadowRebuild rebuild) {
        List<String> out = new ArrayList<>();
        for (ShadowRebuild.ColumnChange c : rebuild.changes()) {
            if (c.toType() != null) {
                out.add("ALTER TABLE " + n.qualified(n.shadow()) + " ALTER COLUMN " + quote(c.column()) + " TYPE "
                        + c.toType() + " USING " + castExpression(quote(c.column()), c));
            }
        }
        return out;
    }

    public static String addPrimaryKey(ShadowNames n, TableShape shape) {
        return "ALTER TABLE " + n.qualified(n.shadow()) + " ADD CONSTRAINT " + quote(n.shadowIndex(shape.primaryKeyName()))
                + " PRIMARY KEY (" + list(shape.primaryKey(), s -> quote(s)) + ")";
    }

    public static String addNotNullCheck(ShadowNames n, String column) {
        return "ALTER TABLE " + n.qualified(n.shadow()) + " ADD CONSTRAINT " + quote(n.notNullCheck(column)) + " CHECK ("
                + quote(column) + " IS NOT NULL) NOT VALID";
    }

    public static String validateConstraint(ShadowNames n, String constraint) {
        return "ALTER TABLE " + n.qualified(n.shadow()) + " VALIDATE CONSTRAINT " + quote(constraint);
    }

    static Map<String, ShadowRebuild.ColumnChange> byColumn(ShadowRebuild rebuild) {
        return rebuild.changes().stream().collect(Collectors.toMap(ShadowRebuild.ColumnChange::column, c -> c));
    }

    /** The value of every insertable column of the target, computed from a row of the source ({@code prefix.column}). */
    static String values(TableShape shape, Map<String, ShadowRebuild.ColumnChange> changes, String prefix) {
        return list(shape.insertable(), c -> castExpression(prefix + quote(c.name()), changes.get(c.name())));
    }

    static String columnList(TableShape shape) {
        return list(shape.insertable(), c -> quote(c.name()));
    }

    /** The primary key of a source row converted to the target's key types, for matching target rows. */
    static String keyValues(TableShape shape, Map<String, ShadowRebuild.ColumnChange> changes, String prefix) {
        return list(shape.primaryKey(), k -> castExpression(prefix + quote(k), changes.get(k)));
    }

    /**
     * Reverse sync after cutover: the body of a trigger function that mirrors each row write on the table it fires
     * on into {@code target} (the rollback table), in the same transaction: deletes delete, inserts and updates
     * upsert on the primary key, a key change deletes the old key first, TRUNCATE truncates. SECURITY DEFINER so
     * that clients without rights on the target still write; a fixed search_path so that nothing can be shadowed. With {@code lostTable}, a row whose conversion
     * fails is recorded there instead of failing the client's write (used by reverse sync, whose casts may narrow).
     */
    static String mirrorFunction(String qualifiedFunction, String qualifiedTarget, TableShape shape,
                                 Map<String, ShadowRebuild.ColumnChange> changes, String qualifiedLostTable) {
        String pk = list(shape.primaryKey(), s -> quote(s));
        String oldKey = list(shape.primaryKey(), k -> "OLD." + quote(k));
        String newKey = list(shape.primaryKey(), k -> "NEW." + quote(k));
        List<String> nonKey = shape.insertable().stream().map(TableShape.Column::name)
                .filter(c -> !shape.primaryKey().contains(c)).toList();
        String onConflict = nonKey.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + list(nonKey, c -> quote(c) + " = EXCLUDED." + quote(c));
        String write = """
                  IF TG_OP = 'TRUNCATE' THEN
                    TRUNCATE %1$s;
                    RETURN NULL;
                  END IF;
                  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND ROW(%2$s) IS DISTINCT FROM ROW(%3$s)) THEN
                    DELETE FROM %1$s WHERE ROW(%4$s) = ROW(%5$s);
                  END IF;
                  IF TG_OP <> 'DELETE' THEN
                    INSERT INTO %1$s (%6$s) OVERRIDING SYSTEM VALUE VALUES (%7$s) ON CONFLICT (%4$s) %8$s;
                  END IF;
                """.formatted(qualifiedTarget, oldKey, newKey, pk, keyValues(shape, changes, "OLD."),
                columnList(shape), values(shape, changes, "NEW."), onConflict);
        String body;
        if (qualifiedLostTable == null) {
            body = "BEGIN\n" + write + "  RETURN NULL;\nEND";
        } else {
            String oldKey2 = "ROW(" + list(shape.primaryKey(), k -> "OLD." + quote(k)) + ")::text";
            String newKey2 = "ROW(" + list(shape.primaryKey(), k -> "NEW." + quote(k)) + ")::text";
            body = "BEGIN\n  BEGIN\n" + write.indent(2) + "  EXCEPTION WHEN data_exception OR integrity_constraint_violation THEN\n"
                    + "    INSERT INTO " + qualifiedLostTable + " (key, reason) VALUES (CASE WHEN TG_OP = 'DELETE' THEN "
                    + oldKey2 + " ELSE " + newKey2 + " END, SQLERRM)\n"
                    + "      ON CONFLICT (key) DO UPDATE SET reason = EXCLUDED.reason, at = now();\n"
                    + "  END;\n  RETURN NULL;\nEND";
        }
        return "CREATE OR REPLACE FUNCTION " + qualifiedFunction + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER"
                + " SET search_path = pg_catalog, pg_temp AS " + dollarQuote(body);
    }

    static List<String> mirrorTriggers(String qualifiedTable, String rowTrigger, String truncateTrigger, String qualifiedFunction) {
        return List.of(
                "CREATE TRIGGER " + quote(rowTrigger) + " AFTER INSERT OR UPDATE OR DELETE ON " + qualifiedTable
                        + " FOR EACH ROW EXECUTE FUNCTION " + qualifiedFunction + "()",
                "CREATE TRIGGER " + quote(truncateTrigger) + " AFTER TRUNCATE ON " + qualifiedTable
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + qualifiedFunction + "()");
    }

    /** {@code ROW(pk) > ROW(?::t, ...)}: one bound text value per key column, cast to the key column's type. */
    static String keyAfter(TableShape shape, String prefix, String op) {
        return "ROW(" + list(shape.primaryKey(), k -> prefix + quote(k)) + ") " + op + " ROW("
                + list(shape.primaryKey(), k -> "?::" + shape.type(k)) + ")";
    }

    /**
     * The upper bound of the next backfill batch: the key {@code OFFSET ?} rows past the position (or from the
     * start), within the high-water mark, as text per key column; no row when fewer are left (then the mark is the
     * bound). A walk over the primary key only. Binds: [last key if any], high-water mark, offset.
     */
    static String backfillBound(ShadowNames n, TableShape shape, boolean fromStart) {
        String where = (fromStart ? "" : keyAfter(shape, "o.", ">") + " AND ") + keyAfter(shape, "o.", "<=");
        // ordered by the qualified column: an unqualified name would sort by the text output column ('999' > '1000'),
        // which also means sorting the whole rest of the table instead of walking the index
        return "SELECT " + list(shape.primaryKey(), k -> "o." + quote(k) + "::text") + " FROM " + n.qualified(n.table()) + " o WHERE "
                + where + " ORDER BY " + list(shape.primaryKey(), k -> "o." + quote(k)) + " OFFSET ? LIMIT 1";
    }

    /**
     * One backfill batch: copies every source row with a key after the position and up to the batch's bound,
     * converted, and moves the position table to the bound in the same statement, so that the position and the
     * rows it covers commit together and a resumed run never copies a row twice. The bound comes from
     * {@link #backfillBound} beforehand: the copy itself has no ORDER BY, LIMIT or CTE to materialise, and reads the
     * range however the server finds fastest. No ON CONFLICT and no row locks: nothing else writes keys between the
     * position and the high-water mark into the shadow (the change log applies only keys the backfill has passed, or
     * above the mark), and a write racing the copy is logged and copied again once the position passes it.
     * Binds: the bound (for the position), [last key if any], the bound. Its update count is the rows copied.
     */
    static String backfillBatch(ShadowNames n, TableShape shape, ShadowRebuild rebuild, boolean fromStart) {
        Map<String, ShadowRebuild.ColumnChange> changes = byColumn(rebuild);
        List<Integer> positions = keyPositions(shape);
        String where = (fromStart ? "" : keyAfter(shape, "", ">") + " AND ") + keyAfter(shape, "", "<=");
        return "WITH moved AS (UPDATE " + n.tool(n.backfillPosition()) + " SET " + list(positions, i -> "k" + i + " = ?") + ")\n"
                + "INSERT INTO " + n.qualified(n.shadow()) + " (" + columnList(shape) + ") OVERRIDING SYSTEM VALUE SELECT "
                + values(shape, changes, "b.") + " FROM " + n.qualified(n.table()) + " b WHERE " + where;
    }

    /**
     * True when the shadow orders its keys as the original does: no key column changes type, or only widens an
     * integer. Then a batch can be a plain ordered, limited copy and find its last key in the shadow afterwards
     * ({@link #backfillInKeyOrder}, {@link #recordPosition}); otherwise it needs its bound first ({@link #backfillBound}).
     */
    static boolean keyOrderPreserved(TableShape shape, ShadowRebuild rebuild) {
        Map<String, ShadowRebuild.ColumnChange> changes = byColumn(rebuild);
        List<String> integers = List.of("smallint", "integer", "bigint");
        for (String k : shape.primaryKey()) {
            ShadowRebuild.ColumnChange change = changes.get(k);
            if (change == null || change.toType() == null || change.toType().equals(shape.type(k))) {
                continue;
            }
            int from = integers.indexOf(shape.type(k));
            int to = integers.indexOf(change.toType());
            if (from < 0 || to < from) {
                return false;
            }
        }
        return true;
    }

    /**
     * One backfill batch where the key order is preserved: the next {@code LIMIT ?} source rows after the position,
     * in key order, converted; nothing materialised (the rows stream from the primary key into the insert). No ON
     * CONFLICT and no row locks, for the reasons given at {@link #backfillBatch}. Binds: [last key if any],
     * high-water mark, limit. Its update count is the rows copied; {@link #recordPosition} follows in its transaction.
     */
    static String backfillInKeyOrder(ShadowNames n, TableShape shape, ShadowRebuild rebuild, boolean fromStart) {
        Map<String, ShadowRebuild.ColumnChange> changes = byColumn(rebuild);
        String where = (fromStart ? "" : keyAfter(shape, "b.", ">") + " AND ") + keyAfter(shape, "b.", "<=");
        return "INSERT INTO " + n.qualified(n.shadow()) + " (" + columnList(shape) + ") OVERRIDING SYSTEM VALUE SELECT "
                + values(shape, changes, "b.") + " FROM " + n.qualified(n.table()) + " b WHERE " + where
                + " ORDER BY " + list(shape.primaryKey(), k -> "b." + quote(k)) + " LIMIT ?";
    }

    /**
     * After {@link #backfillInKeyOrder}, in its transaction: the greatest shadow key between the old position and
     * the mark is the batch's last key (nothing else writes keys there), which becomes the position and is
     * returned as text per key column; no row when the batch copied nothing. Binds: [last key if any], mark.
     */
    static String recordPosition(ShadowNames n, TableShape shape, ShadowRebuild rebuild, boolean fromStart) {
        Map<String, ShadowRebuild.ColumnChange> changes = byColumn(rebuild);
        List<String> pk = shape.primaryKey();
        List<Integer> positions = keyPositions(shape);
        java.util.function.Function<String, String> after = op -> "ROW(" + list(pk, k -> "t." + quote(k)) + ") " + op + " ROW("
                + list(pk, k -> "?::" + (changes.containsKey(k) && changes.get(k).toType() != null
                ? changes.get(k).toType() : shape.type(k))) + ")";
        String where = (fromStart ? "" : after.apply(">") + " AND ") + after.apply("<=");
        return "UPDATE " + n.tool(n.backfillPosition()) + " p SET " + list(positions, i -> "k" + i + " = l.k" + i)
                + " FROM (SELECT " + list(positions, i -> "t." + quote(pk.get(i)) + "::text AS k" + i) + " FROM "
                + n.qualified(n.shadow()) + " t WHERE " + where + " ORDER BY " + list(pk, k -> "t." + quote(k) + " DESC")
                + " LIMIT 1) l RETURNING " + list(positions, i -> "p.k" + i);
    }

    /**
     * The backfill position table: one row, the last copied key as text per key column (NULL before the first
     * batch). UNLOGGED like the change log, and so also its sentinel: a server that recovers from a crash (or a
     * promoted standby) empties unlogged tables, and a missing row tells the engine that the log may have lost
     * writes ({@link ChangeLog#intact}).
     */
    static List<String> createBackfillPosition(ShadowNames n, TableShape shape) {
        List<Integer> positions = keyPositions(shape);
        return List.of("CREATE UNLOGGED TABLE " + n.tool(n.backfillPosition()) + " (" + list(positions, i -> "k" + i + " text")
                        // logical capture: the commit position up to which the change log holds the slot's transactions
                        + ", slot_lsn pg_lsn)",
                "INSERT INTO " + n.tool(n.backfillPosition()) + " DEFAULT VALUES");
    }

    static String readBackfillPosition(ShadowNames n, TableShape shape) {
        List<Integer> positions = keyPositions(shape);
        return "SELECT " + list(positions, i -> "k" + i) + " FROM " + n.tool(n.backfillPosition());
    }

    /**
     * The change log: the old and the new key of each write, in the original's key types and collations (CREATE
     * TABLE AS copies both), no index: it is only appended to and consumed whole. UNLOGGED: the clients' appends
     * write no WAL, which measurably lowers what capture costs them (benchmarks/migration/RESULTS.md); the price,
     * losing its rows when the server crashes, is detected through the position table's row and answered by
     * starting the rebuild over.
     */
    static String createChangeLog(ShadowNames n, TableShape shape) {
        List<Integer> positions = keyPositions(shape);
        return "CREATE UNLOGGED TABLE " + n.tool(n.changeLog()) + " AS SELECT "
                + list(positions, i -> "o." + quote(shape.primaryKey().get(i)) + " AS old_" + i) + ", "
                + list(positions, i -> "o." + quote(shape.primaryKey().get(i)) + " AS new_" + i)
                + " FROM " + n.qualified(n.table()) + " o WITH NO DATA";
    }

    /**
     * The row capture: one appended log row per write, with OLD's and NEW's key (PL/pgSQL reads OLD as NULL in an
     * INSERT trigger and NEW as NULL in a DELETE trigger). This runs in every client write, so it is as small as it
     * can be: one INSERT, no branch. SECURITY DEFINER so that clients need no rights on the log, and deliberately no
     * SET search_path clause, which made every call save and restore the setting and cost clients 5-18 % of their
     * throughput (benchmarks/migration/RESULTS.md): the body names only a schema-qualified table and record fields
     * of the log's own types, so it calls no function or operator a caller's search_path could shadow.
     */
    static String captureFunction(ShadowNames n, TableShape shape) {
        List<Integer> positions = keyPositions(shape);
        String body = "BEGIN\n  INSERT INTO " + n.tool(n.changeLog()) + " ("
                + list(positions, i -> "old_" + i) + ", " + list(positions, i -> "new_" + i) + ") VALUES ("
                + list(shape.primaryKey(), k -> "OLD." + quote(k)) + ", " + list(shape.primaryKey(), k -> "NEW." + quote(k))
                + ");\n  RETURN NULL;\nEND";
        return "CREATE OR REPLACE FUNCTION " + n.tool(n.captureFunction()) + "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS "
                + dollarQuote(body);
    }

    /** TRUNCATE of the original empties the shadow and the log with it; rare, so it can afford the fixed search_path. */
    static String captureTruncateFunction(ShadowNames n) {
        return "CREATE OR REPLACE FUNCTION " + n.tool(n.captureTruncateFunction()) + "() RETURNS trigger LANGUAGE plpgsql"
                + " SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS "
                + dollarQuote("BEGIN\n  TRUNCATE " + n.qualified(n.shadow()) + ", " + n.tool(n.changeLog()) + ";\n  RETURN NULL;\nEND");
    }

    static List<String> captureTriggers(ShadowNames n) {
        return List.of(
                "CREATE TRIGGER " + quote(n.captureTrigger()) + " AFTER INSERT OR UPDATE OR DELETE ON " + n.qualified(n.table())
                        + " FOR EACH ROW EXECUTE FUNCTION " + n.tool(n.captureFunction()) + "()",
                "CREATE TRIGGER " + quote(n.captureTruncateTrigger()) + " AFTER TRUNCATE ON " + n.qualified(n.table())
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + n.tool(n.captureTruncateFunction()) + "()");
    }

    /** Which logged keys to apply now: the ones the backfill has passed, and the ones above its high-water mark. */
    enum Due { ALL, ABOVE_MARK, PASSED_OR_ABOVE_MARK }

    /**
     * Applies up to {@code LIMIT ?} change-log rows in one statement: takes them out of the log, and for every
     * distinct key among them that is due, copies the original's row as it is now into the shadow (upsert), or
     * deletes the shadow's row when the original has none. Keys not due lie between the backfill position and
     * the high-water mark: the backfill copies them later, from a snapshot that already holds the logged write, so
     * their log rows are only dropped. Everything reads one snapshot, and a write that commits after it keeps its
     * log row for the next round. Returns the log rows taken and the keys applied.
     * Binds: limit, then [position key if PASSED_OR_ABOVE_MARK], [high-water mark unless ALL].
     */
    static String applyChanges(ShadowNames n, TableShape shape, ShadowRebuild rebuild, Due due) {
        Map<String, ShadowRebuild.ColumnChange> changes = byColumn(rebuild);
        List<String> pk = shape.primaryKey();
        List<Integer> positions = keyPositions(shape);
        String log = n.tool(n.changeLog());
        String shadow = n.qualified(n.shadow());
        String source = n.qualified(n.table());
        String sourceKey = list(pk, k -> "s." + quote(k));
        String keyOfDue = list(pk, k -> "d." + quote(k));
        List<String> nonKey = shape.insertable().stream().map(TableShape.Column::name).filter(c -> !pk.contains(c)).toList();
        String onConflict = nonKey.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + list(nonKey, c -> quote(c) + " = EXCLUDED." + quote(c));
        String when = switch (due) {
            case ALL -> "true";
            case ABOVE_MARK -> keyAfter(shape, "", ">");
            case PASSED_OR_ABOVE_MARK -> "(" + keyAfter(shape, "", "<=") + " OR " + keyAfter(shape, "", ">") + ")";
        };
        String shadowKey = list(pk, k -> "t2." + quote(k));
        // every lookup is a LATERAL subquery with LIMIT 1: never pulled up into a join, so it stays one primary-key
        // probe per due key, whatever the planner guesses about the CTEs' sizes (a hash join would scan the table)
        return "WITH taken AS (DELETE FROM " + log + " WHERE ctid = ANY (ARRAY(SELECT ctid FROM " + log + " LIMIT ?)) RETURNING *),\n"
                + "keys AS (SELECT " + list(positions, i -> "old_" + i + " AS " + quote(pk.get(i))) + " FROM taken WHERE old_0 IS NOT NULL"
                + " UNION SELECT " + list(positions, i -> "new_" + i) + " FROM taken WHERE new_0 IS NOT NULL),\n"
                + "due AS (SELECT * FROM keys WHERE " + when + "),\n"
                // one probe of the original per key: its row converted, or no row (present is then NULL)
                + "found AS (SELECT d.*, r.* FROM due d LEFT JOIN LATERAL (SELECT true AS ss_present, "
                + list(valuePositions(shape), i -> castExpression("s." + quote(shape.insertable().get(i).name()),
                        changes.get(shape.insertable().get(i).name())) + " AS ss_v" + i)
                + " FROM " + source + " s WHERE ROW(" + sourceKey + ") = ROW(" + keyOfDue + ") LIMIT 1) r ON true),\n"
                + "removed AS (DELETE FROM " + shadow + " t WHERE t.ctid = ANY (ARRAY(SELECT x.ctid FROM found d CROSS JOIN LATERAL"
                + " (SELECT t2.ctid FROM " + shadow + " t2 WHERE ROW(" + shadowKey + ") = ROW(" + keyValues(shape, changes, "d.")
                + ") LIMIT 1) x WHERE d.ss_present IS NULL))),\n"
                + "copied AS (INSERT INTO " + shadow + " (" + columnList(shape) + ") OVERRIDING SYSTEM VALUE SELECT "
                + list(valuePositions(shape), i -> "f.ss_v" + i) + " FROM found f WHERE f.ss_present"
                + " ON CONFLICT (" + list(pk, k -> quote(k)) + ") " + onConflict + ")\n"
                + "SELECT (SELECT count(*) FROM taken), (SELECT count(*) FROM due)";
    }

    /**
     * The converted keys, as the text {@link #comparable} prints them, of every write still waiting in the change
     * log: validation leaves these rows to the cutover, which copies them under its lock.
     */
    static String pendingKeys(ShadowNames n, TableShape shape, ShadowRebuild rebuild) {
        return pendingKeys(n, shape, rebuild, false, false);
    }

    /**
     * {@link #pendingKeys} of one validation range only: the log rows whose old or new key lies in (lo, hi] of the
     * original's keys. The log holds its keys in the original's types, so the bounds are cast as the original side
     * of {@link #chunkHashes} casts them, and a range reads only its own pending keys instead of converting and
     * hashing the whole log (which grows while validation runs). Binds: [lo] [hi] for the old keys, then [lo] [hi]
     * for the new keys.
     */
    static String pendingKeys(ShadowNames n, TableShape shape, ShadowRebuild rebuild, boolean hasLo, boolean hasHi) {
        Map<String, ShadowRebuild.ColumnChange> changes = byColumn(rebuild);
        List<String> pk = shape.primaryKey();
        List<Integer> positions = keyPositions(shape);
        String log = n.tool(n.changeLog());
        return "SELECT " + list(positions, i -> "(" + castExpression("old_" + i, changes.get(pk.get(i))) + ")::text AS k" + i)
                + " FROM " + log + " WHERE old_0 IS NOT NULL" + logRange(shape, "old_", hasLo, hasHi) + " UNION SELECT "
                + list(positions, i -> "(" + castExpression("new_" + i, changes.get(pk.get(i))) + ")::text")
                + " FROM " + log + " WHERE new_0 IS NOT NULL" + logRange(shape, "new_", hasLo, hasHi);
    }

    /** {@code AND ROW(old_0, ...) > ROW(?::t, ...) AND ROW(old_0, ...) <= ROW(?::t, ...)} over the log's key columns. */
    private static String logRange(TableShape shape, String side, boolean hasLo, boolean hasHi) {
        List<Integer> positions = keyPositions(shape);
        String key = "ROW(" + list(positions, i -> side + i) + ")";
        String bound = "ROW(" + list(shape.primaryKey(), k -> "?::" + shape.type(k)) + ")";
        return (hasLo ? " AND " + key + " > " + bound : "") + (hasHi ? " AND " + key + " <= " + bound : "");
    }

    /**
     * The upper bound of the next validation range: the key {@code OFFSET ?} rows past {@code lo} (or from the
     * start) in the original, as text per key column; no row when fewer are left (the range is then open-ended).
     * Binds: [lo], offset.
     */
    static String chunkBound(ShadowNames n, TableShape shape, boolean fromStart) {
        return "SELECT " + list(shape.primaryKey(), k -> "o." + quote(k) + "::text") + " FROM " + n.qualified(n.table()) + " o"
                + (fromStart ? "" : " WHERE " + keyAfter(shape, "o.", ">"))
                + " ORDER BY " + list(shape.primaryKey(), k -> "o." + quote(k)) + " OFFSET ? LIMIT 1";
    }

    /**
     * One validation range, in ONE statement and so one snapshot: the row count and an md5 over the rows as text
     * (sorted byte-wise, so both sides agree whatever the key's type) of the converted original and of the shadow,
     * for the keys in (lo, hi], leaving out the keys of that range still waiting in the change log in that snapshot
     * (the cutover copies them under its lock; only the range's own log keys are read, {@link #pendingKeys}). Only
     * for rebuilds that keep the key order ({@link #keyOrderPreserved}): the range read by the original's key is
     * then the same range of the shadow's, and of the log's. Binds: [lo] [hi] for the log's old keys, [lo] [hi] for
     * its new keys, [lo] [hi] for the original, then [lo] [hi] for the shadow.
     */
    static String chunkHashes(ShadowNames n, TableShape shape, ShadowRebuild rebuild, boolean hasLo, boolean hasHi) {
        Map<String, ShadowRebuild.ColumnChange> changes = byColumn(rebuild);
        List<String> pk = shape.primaryKey();
        List<Integer> keys = keyPositions(shape);
        Function<String, String> range = prefix -> {
            List<String> where = new ArrayList<>();
            java.util.function.BiFunction<String, Boolean, String> bound = (op, converted) -> "ROW(" + list(pk, k -> prefix + quote(k))
                    + ") " + op + " ROW(" + list(pk, k -> "?::" + (converted && changes.containsKey(k) && changes.get(k).toType() != null
                    ? changes.get(k).toType() : shape.type(k))) + ")";
            boolean converted = prefix.equals("t.");
            if (hasLo) {
                where.add(bound.apply(">", converted));
            }
            if (hasHi) {
                where.add(bound.apply("<=", converted));
            }
            return where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
        };
        String notPending = " WHERE NOT EXISTS (SELECT 1 FROM pending p WHERE " + String.join(" AND ",
                keys.stream().map(i -> "p.k" + i + " = d.k" + i).toList()) + ")";
        String original = "SELECT ROW(" + list(columnPositions(shape), i -> "(" + castExpression("o." + quote(shape.columns().get(i).name()),
                changes.get(shape.columns().get(i).name())) + ")::text") + ")::text AS r, "
                + list(keys, i -> "(" + castExpression("o." + quote(pk.get(i)), changes.get(pk.get(i))) + ")::text AS k" + i)
                + " FROM " + n.qualified(n.table()) + " o" + range.apply("o.");
        String shadow = "SELECT ROW(" + list(columnPositions(shape), i -> "t." + quote(shape.columns().get(i).name()) + "::text")
                + ")::text AS r, " + list(keys, i -> "t." + quote(pk.get(i)) + "::text AS k" + i)
                + " FROM " + n.qualified(n.shadow()) + " t" + range.apply("t.");
        String hash = "SELECT count(*) AS n, coalesce(md5(string_agg(d.r, E'\\n' ORDER BY d.r COLLATE \"C\")), '') AS h FROM (";
        return "WITH pending AS MATERIALIZED (" + pendingKeys(n, shape, rebuild, hasLo, hasHi) + ")\n"
                + "SELECT a.n, a.h, b.n, b.h FROM (" + hash + original + ") d" + notPending + ") a, ("
                + hash + shadow + ") d" + notPending + ") b";
    }

    /** The high-water mark: the greatest key now, as text per key column. */
    static String highWaterMark(ShadowNames n, TableShape shape) {
        return "SELECT " + list(shape.primaryKey(), k -> "o." + quote(k) + "::text") + " FROM " + n.qualified(n.table())
                + " o ORDER BY " + list(shape.primaryKey(), k -> "o." + quote(k) + " DESC") + " LIMIT 1";
    }

    /** Rows of one table, converted, as text columns: comparable even for types without equality (json). */
    static String comparable(String qualifiedTable, TableShape shape, Map<String, ShadowRebuild.ColumnChange> changes) {
        return "SELECT " + list(columnPositions(shape), i -> "(" + castExpression(quote(shape.columns().get(i).name()),
                changes.get(shape.columns().get(i).name())) + ")::text AS c" + i) + " FROM " + qualifiedTable;
    }

    static String comparableAsIs(String qualifiedTable, TableShape shape) {
        return "SELECT " + list(columnPositions(shape), i -> quote(shape.columns().get(i).name()) + "::text AS c" + i)
                + " FROM " + qualifiedTable;
    }

    /** 0 .. the number of key columns - 1: the log's old_i / new_i and the position's k_i. */
    static List<Integer> keyPositions(TableShape shape) {
        return indexes(shape.primaryKey().size());
    }

    private static List<Integer> indexes(int count) {
        return java.util.stream.IntStream.range(0, count).boxed().toList();
    }

    /** 0 .. the number of insertable columns - 1. */
    static List<Integer> valuePositions(TableShape shape) {
        return indexes(shape.insertable().size());
    }

    /** Column i of {@link #comparable} is {@code c<i>}: the positions of the key columns among them. */
    static List<Integer> columnPositions(TableShape shape) {
        return indexes(shape.columns().size());
    }

    static String dollarQuote(String body) {
        String tag = "$ss$";
        for (int i = 0; body.contains(tag); i++) {
            tag = "$ss" + i + "$";
        }
        return tag + "\n" + body + "\n" + tag;
    }

    static <T> String list(List<T> items, Function<T, String> f) {
        return items.stream().map(f).collect(Collectors.joining(", "));
    }
}
