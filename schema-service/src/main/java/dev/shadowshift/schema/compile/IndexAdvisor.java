package dev.shadowshift.schema.compile;

import dev.shadowshift.pg.SqlIdentifiers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The seed's recommended indexes for a compiled model. Pure logic: what to index and under which name, as data
 * ({@link RecommendedIndex}); the statements are rendered from it by the differ's {@code Ddl}, and this package
 * imports nothing of the differ's.
 *
 * <p>Composite B-trees, for the seed's multi-column query patterns, equality column first:
 * <ul>
 *   <li><b>foreign key + timestamp</b>: {@code (customer, created)} on a table with a reference column and a scalar
 *       {@code created} ({@code payment_intents(customer, created)}: a customer's rows by time);</li>
 *   <li><b>status + timestamp</b>: {@code (status, created)} ({@code subscriptions(status, created)});</li>
 *   <li><b>tenant + id</b>: {@code (account, id)}, UNIQUE, for a tenant column ({@code tenant}, {@code account},
 *       {@code organization}, {@code org} or {@code workspace}, bare or with {@code _id} or {@code _sid}) that does not
 *       already lead a foreign key + timestamp index: one tenant's rows, keyset pages through them, and the arbiter
 *       of a per-tenant upsert ({@code ON CONFLICT (account, id)}).</li>
 * </ul>
 * The timestamp is {@code created}, the seed's creation time: {@code created_at}-style text columns are not assumed
 * to sort by time (Twilio's {@code date_created} is an RFC 2822 string). Composites take scalar columns only:
 * Stripe's expandable references ({@code payment_intents.customer}, jsonb holding the id or the expanded object) keep
 * their GIN, because a B-tree entry over a whole object can pass the B-tree's size limit (about 2.7 kB) and fail the
 * write that stores it.
 *
 * <p>Single-column indexes, for the columns that lead no composite (a composite serves lookups by its first column
 * too, so a separate index on it would only cost writes):
 * <ul>
 *   <li>B-tree on the columns the seed's query patterns filter or sort by: {@code created}, {@code updated},
 *       {@code status}, {@code email}, when they hold a scalar;</li>
 *   <li>B-tree on scalar reference columns: a text column named like another table's singular
 *       ({@code charges.customer} when there is a {@code customers} table), or a text or bigint column named so and
 *       followed by {@code _id} (a bare-named bigint is an amount or a count: {@code customers.balance},
 *       {@code pull_requests.commits});</li>
 *   <li>GIN on every jsonb and text[] column (containment and key-existence queries).</li>
 * </ul>
 * The primary key is not listed: every table gets it with its CREATE TABLE. Names follow the seed,
 * {@code idx_<table>_<column>[_<column>]}, shortened to 63 bytes by {@link SqlIdentifiers#shorten}; a name that two
 * tables would share (table a_b column c, table a column b_c) is made unique by a double underscore and, if need be,
 * the hash suffix. Indexes are listed table by table, each at the position of its first column.
 */
public final class IndexAdvisor {

    public static final Set<String> PATTERN_COLUMNS = Set.of("created", "updated", "status", "email");
    /** The seed's creation time: the range column of the composite patterns. */
    public static final String TIMESTAMP = "created";
    private static final Set<String> TENANT_WORDS = Set.of("tenant", "account", "organization", "org", "workspace");
    private static final Set<String> SCALARS = Set.of("text", "bigint", "numeric", "boolean");

    private IndexAdvisor() {
    }

    public static List<RecommendedIndex> recommend(CompiledModel model) {
        Set<String> tableNames = new HashSet<>();
        Set<String> used = new HashSet<>();
        for (CompiledTable t : model.tables()) {
            tableNames.add(t.name());
            used.add(t.name()); // indexes share the schema's namespace with tables and their key constraints
            used.add(Names.primaryKeyName(t.name()));
        }
        List<RecommendedIndex> out = new ArrayList<>();
        for (CompiledTable t : model.tables()) {
            CompiledColumn created = t.column(TIMESTAMP).filter(c -> !c.primaryKey() && SCALARS.contains(c.type())).orElse(null);
            List<CompiledColumn> key = t.columns().stream().filter(CompiledColumn::primaryKey).toList();
            for (CompiledColumn c : t.columns()) {
                if (c.primaryKey()) {
                    continue;
                }
                RecommendedIndex composite = composite(t, c, created, key, tableNames, used);
                if (composite != null) {
                    out.add(composite);
                    continue;
                }
                String reason = reason(t, c, tableNames);
                if (reason == null) {
                    continue;
                }
                String method = SCALARS.contains(c.type()) ? "btree" : "gin";
                out.add(new RecommendedIndex(t.name(), uniqueName(t.name(), c.name(), used), method, List.of(c.name()), false,
                        reason));
            }
        }
        return List.copyOf(out);
    }

    /** The recommended indexes of one table (a convenience for callers that go table by table). */
    public static List<RecommendedIndex> forTable(List<RecommendedIndex> all, String table) {
        return all.stream().filter(i -> i.table().equals(table)).toList();
    }

    /** The composite index that {@code c} leads, or null when none of the seed's patterns applies to it. */
    private static RecommendedIndex composite(CompiledTable t, CompiledColumn c, CompiledColumn created, List<CompiledColumn> key,
                                              Set<String> tableNames, Set<String> used) {
        List<String> columns;
        boolean unique = false;
        String reason;
        String referenced = created == null || c == created ? null : referenced(t, c, tableNames);
        if (referenced != null) {
            columns = List.of(c.name(), created.name());
            reason = "B-tree for the seed's foreign key + time pattern: rows of one " + referenced + " entry by "
                    + created.name() + " (also serves lookups by " + c.name() + " alone)";
        } else if (created != null && c.name().equals("status") && SCALARS.contains(c.type())) {
            columns = List.of(c.name(), created.name());
            reason = "B-tree for the seed's status + time pattern (also serves the status filter alone)";
        } else if (key.size() == 1 && isTenant(c)) {
            columns = List.of(c.name(), key.get(0).name());
            unique = true;
            reason = "unique B-tree for the tenant + id pattern: one tenant's rows, keyset pages by " + key.get(0).name()
                    + " and per-tenant upserts; unique because " + key.get(0).name() + " is the key (also serves lookups by "
                    + c.name() + " alone)";
        } else {
            return null;
        }
        return new RecommendedIndex(t.name(), uniqueName(t.name(), String.join("_", columns), used), "btree", columns, unique,
                reason);
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
        String referenced = referenced(table, c, tableNames);
        return referenced == null ? null : "B-tree for lookups by reference to " + referenced;
    }

    /**
     * The table a scalar reference column points at: a text column named like another table's singular (Stripe's
     * string ids), or a text or bigint column named so followed by {@code _id} (GitHub's numeric ids); null for any
     * other column.
     */
    private static String referenced(CompiledTable table, CompiledColumn c, Set<String> tableNames) {
        boolean suffixed = c.name().endsWith("_id");
        if (!c.type().equals("text") && !(suffixed && c.type().equals("bigint"))) {
            return null;
        }
        String base = suffixed ? c.name().substring(0, c.name().length() - 3) : c.name();
        if (base.isEmpty()) {
            return null;
        }
        String referenced = Names.tableName(base);
        return !referenced.equals(table.name()) && tableNames.contains(referenced) ? referenced : null;
    }

    private static boolean isTenant(CompiledColumn c) {
        if (!c.type().equals("text") && !c.type().equals("bigint")) {
            return false;
        }
        String base = c.name().endsWith("_id") ? c.name().substring(0, c.name().length() - 3)
                : c.name().endsWith("_sid") ? c.name().substring(0, c.name().length() - 4) : c.name();
        return TENANT_WORDS.contains(base);
    }

    private static String uniqueName(String table, String columns, Set<String> used) {
        for (String candidate : List.of("idx_" + table + "_" + columns, "idx_" + table + "__" + columns)) {
            String name = SqlIdentifiers.shorten(candidate);
            if (used.add(name)) {
                return name;
            }
        }
        String forced = SqlIdentifiers.shorten("idx_" + table + "__" + columns + "_" + "x".repeat(64));
        used.add(forced);
        return forced;
    }
}
