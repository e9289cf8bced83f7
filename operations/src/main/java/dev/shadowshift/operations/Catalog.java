package dev.shadowshift.operations;

import dev.shadowshift.pg.LiveSchema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one schema of the target holds, as operations validate against it: tables, columns with their types as
 * format_type prints them, keys, indexes, row estimates, and the canonical spelling the server gave each type name the
 * changes mention. A planner validates a plan's operations in order against one copy, each operation applying its
 * effect before the next one is checked ({@link Operation#applyTo}), as pgroll does with its schema.
 */
public final class Catalog {

    public record Column(String name, String type, boolean notNull) {
    }

    public record Index(String name, String table, String method, List<String> columns, boolean unique, boolean primary,
                        boolean valid) {
    }

    public static final class Table {
        final String name;
        final Map<String, Column> columns = new LinkedHashMap<>();
        final List<String> primaryKey = new ArrayList<>();
        long estimatedRows;
        /** Made by an earlier operation of the plan being validated: empty, so a rewrite of it is cheap. */
        boolean createdInPlan;

        Table(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public Optional<Column> column(String column) {
            return Optional.ofNullable(columns.get(column));
        }

        public Map<String, Column> columns() {
            return columns;
        }

        public List<String> primaryKey() {
            return primaryKey;
        }

        public long estimatedRows() {
            return estimatedRows;
        }

        public boolean createdInPlan() {
            return createdInPlan;
        }
    }

    private final String schema;
    private boolean schemaExists;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final Map<String, Index> indexes = new LinkedHashMap<>();
    /** Requested type name -> format_type's spelling; a name the server does not know is absent. */
    private final Map<String, String> types = new HashMap<>();
    /** "type\0value" of every default the server could cast, and what it cast the value to. */
    private final Map<String, String> literals = new HashMap<>();

    private Catalog(String schema) {
        this.schema = schema;
    }

    /**
     * @param types    the canonical spelling of each type name, as the server resolved it ({@link ServerTypes})
     * @param literals the typed literals the server could cast, keyed by {@link #literalKey}
     */
    public static Catalog of(LiveSchema live, Map<String, String> types, Map<String, String> literals) {
        Catalog c = new Catalog(live.name());
        c.schemaExists = live.exists();
        for (LiveSchema.Table t : live.tables().values()) {
            Table table = new Table(t.name());
            t.columns().values().forEach(col -> table.columns.put(col.name(), new Column(col.name(), col.type(), col.notNull())));
            table.primaryKey.addAll(t.primaryKey());
            table.estimatedRows = t.estimatedRows();
            c.tables.put(t.name(), table);
            for (LiveSchema.Index i : t.indexes()) {
                c.indexes.put(i.name(), new Index(i.name(), t.name(), i.method(), i.columns(), i.unique(), i.primary(), i.valid()));
            }
        }
        c.types.putAll(types);
        c.literals.putAll(literals);
        // the server's own spelling of a type is its canonical spelling
        c.tables.values().forEach(t -> t.columns.values().forEach(col -> c.types.putIfAbsent(col.type(), col.type())));
        return c;
    }

    /**
     * For producers without a server to ask (the differ): the type names the compiler emits are format_type's own
     * spelling already, so each one stands for itself.
     */
    public static Catalog ofCompilerTypes(LiveSchema live) {
        Map<String, String> builtin = new HashMap<>();
        for (String t : List.of("text", "bigint", "numeric", "boolean", "jsonb", "text[]")) {
            builtin.put(t, t);
        }
        return of(live, builtin, Map.of());
    }

    public static String literalKey(String canonicalType, String value) {
        return canonicalType + '\0' + value;
    }

    public String schema() {
        return schema;
    }

    public boolean schemaExists() {
        return schemaExists;
    }

    public Optional<Table> table(String name) {
        return Optional.ofNullable(tables.get(name));
    }

    public Optional<Index> index(String name) {
        return Optional.ofNullable(indexes.get(name));
    }

    public List<Index> indexesOf(String table) {
        return indexes.values().stream().filter(i -> i.table().equals(table)).toList();
    }

    public Optional<String> canonicalType(String requested) {
        return requested == null ? Optional.empty() : Optional.ofNullable(types.get(requested));
    }

    public boolean castable(String canonicalType, String value) {
        return literals.containsKey(literalKey(canonicalType, value));
    }

    /** A copy to validate a plan against without touching this one. */
    public Catalog copy() {
        Catalog c = new Catalog(schema);
        c.schemaExists = schemaExists;
        tables.forEach((name, t) -> {
            Table copy = new Table(name);
            copy.columns.putAll(t.columns);
            copy.primaryKey.addAll(t.primaryKey);
            copy.estimatedRows = t.estimatedRows;
            copy.createdInPlan = t.createdInPlan;
            c.tables.put(name, copy);
        });
        c.indexes.putAll(indexes);
        c.types.putAll(types);
        c.literals.putAll(literals);
        return c;
    }

    // --- the effects operations apply, package-private: only operations change a catalog -----------------------

    void createSchema() {
        schemaExists = true;
    }

    Table createTable(String name) {
        Table t = new Table(name);
        t.createdInPlan = true;
        tables.put(name, t);
        return t;
    }

    void dropTable(String name) {
        tables.remove(name);
        indexes.values().removeIf(i -> i.table().equals(name));
    }

    void putIndex(Index index) {
        indexes.put(index.name(), index);
    }

    void dropIndex(String name) {
        indexes.remove(name);
    }
}
