package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.plan.TypeNames;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * Every statement of the shadow path, as pure text built from the table's shape and the rebuild. Identifiers go
 * through SqlIdentifiers; types are checked by TypeNames (format_type output only); values are bound parameters.
 */
public final class ShadowSql {

    private ShadowSql() {
    }

    /** {@code CAST(source AS newtype)} for a type change, the source itself otherwise. */
    public static String castExpression(String source, ShadowRebuild.ColumnChange change) {
        if (change == null || change.toType() == null) {
            return source;
        }
        return "CAST(" + source + " AS " + TypeNames.require(change.toType(), "type of " + change.column()) + ")";
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
                        + TypeNames.require(c.toType(), "type of " + c.column()) + " USING " + castExpression(quote(c.column()), c));
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
     * The body of a trigger function that mirrors each row write on the table it fires on into {@code target}, in
     * the same transaction: deletes delete, inserts and updates upsert on the primary key, a key change deletes
     * the old key first, TRUNCATE truncates. SECURITY DEFINER so that clients without rights on the target still
     * write; a fixed search_path so that nothing can be shadowed. With {@code lostTable}, a row whose conversion
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
                + list(shape.primaryKey(), k -> "?::" + TypeNames.require(shape.type(k), "type of " + k)) + ")";
    }

    /**
     * One backfill batch: locks up to {@code LIMIT ?} source rows after the last key (FOR KEY SHARE, so that a
     * concurrent DELETE either waits for this copy and then deletes it from the shadow too, or wins and the row is
     * skipped: never resurrected), copies them converted, skips rows the capture trigger already wrote, and
     * returns how many rows it read and then the last key as text, a column per key column. Binds: [last key if any], high-water mark, limit.
     */
    static String backfillBatch(ShadowNames n, TableShape shape, ShadowRebuild rebuild, boolean fromStart) {
        Map<String, ShadowRebuild.ColumnChange> changes = byColumn(rebuild);
        String orderAsc = list(shape.primaryKey(), k -> quote(k));
        // qualified with the batch alias: an unqualified name would sort by the text output column ('999' > '1000')
        String orderDesc = list(shape.primaryKey(), k -> "b." + quote(k) + " DESC");
        List<String> pk = shape.primaryKey();
        String where = (fromStart ? "" : keyAfter(shape, "", ">") + " AND ") + keyAfter(shape, "", "<=");
        return "WITH batch AS (SELECT * FROM " + n.qualified(n.table()) + " WHERE " + where + " ORDER BY " + orderAsc
                + " LIMIT ? FOR KEY SHARE),\n"
                // a data-modifying CTE runs whether or not it is referenced: no RETURNING, nothing materialised twice
                + "copied AS (INSERT INTO " + n.qualified(n.shadow()) + " (" + columnList(shape) + ") OVERRIDING SYSTEM VALUE SELECT "
                + values(shape, changes, "b.") + " FROM batch b ON CONFLICT (" + orderAsc + ") DO NOTHING)\n"
                + "SELECT (SELECT count(*) FROM batch), "
                + list(java.util.stream.IntStream.range(0, pk.size()).boxed().toList(), i -> "l.k" + i + "::text")
                + " FROM (SELECT 1) one LEFT JOIN (SELECT "
                // the last key is cast to text once, not for every row the top-1 sort reads
                + list(java.util.stream.IntStream.range(0, pk.size()).boxed().toList(), i -> "b." + quote(pk.get(i)) + " AS k" + i)
                + " FROM batch b ORDER BY " + orderDesc + " LIMIT 1) l ON true";
    }

    /** The high-water mark: the greatest key now, as text per key column. */
    static String highWaterMark(ShadowNames n, TableShape shape) {
        return "SELECT " + list(shape.primaryKey(), k -> "o." + quote(k) + "::text") + " FROM " + n.qualified(n.table())
                + " o ORDER BY " + list(shape.primaryKey(), k -> "o." + quote(k) + " DESC") + " LIMIT 1";
    }

    /** Rows of one table, converted, as text columns: comparable even for types without equality (json). */
    static String comparable(String qualifiedTable, TableShape shape, Map<String, ShadowRebuild.ColumnChange> changes) {
        return "SELECT " + list(shape.columns(), c -> "(" + castExpression(quote(c.name()), changes.get(c.name())) + ")::text")
                + " FROM " + qualifiedTable;
    }

    static String comparableAsIs(String qualifiedTable, TableShape shape) {
        return "SELECT " + list(shape.columns(), c -> quote(c.name()) + "::text") + " FROM " + qualifiedTable;
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
