package dev.shadowshift.schema.compile;

import dev.shadowshift.pg.SqlIdentifiers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The seed's recommended indexes for a compiled model. Pure logic.
 *
 * <ul>
 *   <li>B-tree on the columns the seed's query patterns filter or sort by: {@code created}, {@code updated},
 *       {@code status}, {@code email}, when they hold a scalar;</li>
 *   <li>B-tree on scalar reference columns: a text or bigint column named like another table's singular
 *       ({@code charges.customer} when there is a {@code customers} table), or that name followed by {@code _id};</li>
 *   <li>GIN on every jsonb and text[] column (containment and key-existence queries).</li>
 * </ul>
 * The primary key is not listed: every table gets it with its CREATE TABLE. Names follow the seed,
 * {@code idx_<table>_<column>}, shortened to 63 bytes by {@link SqlIdentifiers#shorten}; a name that two tables would
 * share (table a_b column c, table a column b_c) is made unique by a double underscore and, if need be, the hash suffix.
 */
public final class IndexAdvisor {

    public static final Set<String> PATTERN_COLUMNS = Set.of("created", "updated", "status", "email");
    private static final Set<String> SCALARS = Set.of("text", "bigint", "numeric", "boolean");

    private IndexAdvisor() {
    }

    public static List<RecommendedIndex> recommend(CompiledModel model) {
        Set<String> tableNames = new HashSet<>();
        Set<String> used = new HashSet<>();
        for (CompiledTable t : model.tables()) {
            tableNames.add(t.name());
            used.add(t.name()); // indexes share the schema's namespace with tables and their key constraints
            used.add(dev.shadowshift.schema.diff.Ddl.primaryKeyName(t.name()));
        }
        List<RecommendedIndex> out = new ArrayList<>();
        for (CompiledTable t : model.tables()) {
            for (CompiledColumn c : t.columns()) {
                if (c.primaryKey()) {
                    continue;
                }
                String reason = reason(t, c, tableNames);
                if (reason == null) {
                    continue;
                }
                String method = SCALARS.contains(c.type()) ? "btree" : "gin";
                out.add(new RecommendedIndex(t.name(), uniqueName(t.name(), c.name(), used), method, List.of(c.name()), reason));
            }
        }
        return List.copyOf(out);
    }

    /** The recommended indexes of one table (a convenience for callers that go table by table). */
    public static List<RecommendedIndex> forTable(List<RecommendedIndex> all, String table) {
        return all.stream().filter(i -> i.table().equals(table)).toList();
    }

    private static String reason(CompiledTable table, CompiledColumn c, Set<String> tableNames) {
        if (c.type().equals("jsonb") || c.type().equals("text[]")) {
            return "GIN for containment and key queries on " + c.type();
        }
        if (!SCALARS.contains(c.type())) {
            return null;
        }
        if (PATTERN_COLUMNS.contains(c.name())) {
            return "B-tree for the seed's " + (c.name().equals("created") || c.name().equals("updated") ? "time-range"
                    : c.name().equals("status") ? "status filter" : "lookup") + " pattern";
        }
        if (c.type().equals("text") || c.type().equals("bigint")) {
            String base = c.name().endsWith("_id") ? c.name().substring(0, c.name().length() - 3) : c.name();
            if (!base.isEmpty()) {
                String referenced = Names.tableName(base);
                if (!referenced.equals(table.name()) && tableNames.contains(referenced)) {
                    return "B-tree for lookups by reference to " + referenced;
                }
            }
        }
        return null;
    }

    private static String uniqueName(String table, String column, Set<String> used) {
        for (String candidate : List.of("idx_" + table + "_" + column, "idx_" + table + "__" + column)) {
            String name = SqlIdentifiers.shorten(candidate);
            if (used.add(name)) {
                return name;
            }
        }
        String forced = SqlIdentifiers.shorten("idx_" + table + "__" + column + "_" + "x".repeat(64));
        used.add(forced);
        return forced;
    }
}
