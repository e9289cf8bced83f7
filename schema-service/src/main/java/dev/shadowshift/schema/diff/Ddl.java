package dev.shadowshift.schema.diff;

import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.schema.compile.CompiledColumn;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.CompiledTable;
import dev.shadowshift.schema.compile.IndexAdvisor;
import dev.shadowshift.schema.compile.Names;
import dev.shadowshift.schema.compile.RecommendedIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The statements Shadowshift generates, index statements included: the compiler and the index advisor decide what
 * and under which name ({@link Names}, {@link IndexAdvisor}), only this class writes SQL. Every identifier goes
 * through {@link SqlIdentifiers}; types and index methods come only from fixed sets, never from the spec, so no
 * spec text reaches SQL unquoted.
 */
public final class Ddl {

    private static final Set<String> TYPES = Set.of("text", "bigint", "numeric", "boolean", "jsonb", "text[]");
    private static final Set<String> METHODS = Set.of("btree", "gin");

    private Ddl() {
    }

    public static String createSchema(String schema) {
        return "CREATE SCHEMA IF NOT EXISTS " + SqlIdentifiers.quote(schema);
    }

    public static String createTable(String schema, CompiledTable table) {
        List<String> lines = new ArrayList<>();
        for (CompiledColumn c : table.columns()) {
            lines.add("  " + columnDefinition(c));
        }
        List<String> key = table.columns().stream().filter(CompiledColumn::primaryKey).map(c -> SqlIdentifiers.quote(c.name())).toList();
        if (!key.isEmpty()) {
            // named explicitly so that a long table name gives a deterministic, non-truncated constraint name
            lines.add("  CONSTRAINT " + SqlIdentifiers.quote(Names.primaryKeyName(table.name())) + " PRIMARY KEY (" + String.join(", ", key) + ")");
        }
        return "CREATE TABLE IF NOT EXISTS " + SqlIdentifiers.qualified(schema, table.name()) + " (\n"
                + String.join(",\n", lines) + "\n)";
    }

    public static String addColumn(String schema, String table, CompiledColumn column) {
        return "ALTER TABLE " + SqlIdentifiers.qualified(schema, table) + " ADD COLUMN IF NOT EXISTS " + columnDefinition(column);
    }

    public static String dropNotNull(String schema, String table, String column) {
        return "ALTER TABLE " + SqlIdentifiers.qualified(schema, table) + " ALTER COLUMN " + SqlIdentifiers.quote(column) + " DROP NOT NULL";
    }

    public static String setNotNull(String schema, String table, String column) {
        return "ALTER TABLE " + SqlIdentifiers.qualified(schema, table) + " ALTER COLUMN " + SqlIdentifiers.quote(column) + " SET NOT NULL";
    }

    public static String dropColumn(String schema, String table, String column) {
        return "ALTER TABLE " + SqlIdentifiers.qualified(schema, table) + " DROP COLUMN IF EXISTS " + SqlIdentifiers.quote(column);
    }

    public static String dropTable(String schema, String table) {
        return "DROP TABLE IF EXISTS " + SqlIdentifiers.qualified(schema, table);
    }

    /**
     * Builds an index without blocking writes, UNIQUE if the recommendation says so. Cannot run inside a transaction
     * block; if it fails it leaves an INVALID index behind, which the differ reports.
     */
    public static String createIndex(String schema, RecommendedIndex index) {
        if (!METHODS.contains(index.method())) {
            throw new IllegalArgumentException("not an index method Shadowshift uses: " + index.method());
        }
        return "CREATE " + (index.unique() ? "UNIQUE " : "") + "INDEX CONCURRENTLY IF NOT EXISTS " + SqlIdentifiers.quote(index.name()) + " ON "
                + SqlIdentifiers.qualified(schema, index.table()) + " USING " + index.method() + " ("
                + String.join(", ", index.columns().stream().map(SqlIdentifiers::quote).toList()) + ")";
    }

    public static String dropIndexConcurrently(String schema, String index) {
        return "DROP INDEX CONCURRENTLY IF EXISTS " + SqlIdentifiers.qualified(schema, index);
    }

    public static String addPrimaryKey(String schema, String table, List<String> columns) {
        return "ALTER TABLE " + SqlIdentifiers.qualified(schema, table) + " ADD CONSTRAINT "
                + SqlIdentifiers.quote(Names.primaryKeyName(table)) + " PRIMARY KEY ("
                + String.join(", ", columns.stream().map(SqlIdentifiers::quote).toList()) + ")";
    }

    /** The whole model as one script: what a fresh database needs to match it. */
    public static String script(String schema, CompiledModel model, String header) {
        return script(schema, model, header, false);
    }

    /** As {@link #script(String, CompiledModel, String)}, with the recommended indexes after the tables if asked. */
    public static String script(String schema, CompiledModel model, String header, boolean withIndexes) {
        StringBuilder out = new StringBuilder();
        out.append(header).append("\n\n");
        out.append(createSchema(schema)).append(";\n");
        for (CompiledTable table : model.tables()) {
            out.append('\n').append(createTable(schema, table)).append(";\n");
        }
        if (withIndexes) {
            out.append("\n-- recommended indexes: CONCURRENTLY, so run them outside a transaction block\n");
            for (RecommendedIndex index : IndexAdvisor.recommend(model)) {
                out.append(createIndex(schema, index)).append(";\n");
            }
        }
        return out.toString();
    }

    static String columnDefinition(CompiledColumn c) {
        if (!TYPES.contains(c.type())) {
            throw new IllegalArgumentException("not a type the compiler produces: " + c.type());
        }
        return SqlIdentifiers.quote(c.name()) + " " + c.type() + (c.nullable() ? "" : " NOT NULL");
    }
}
