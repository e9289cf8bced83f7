package dev.shadowshift.schema.diff;

import dev.shadowshift.contracts.events.SchemaChange;
import dev.shadowshift.pg.LiveSchema;
import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.schema.compile.CompiledColumn;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.CompiledTable;
import dev.shadowshift.schema.compile.IndexAdvisor;
import dev.shadowshift.schema.compile.RecommendedIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares a compiled model with what the target schema holds and classifies each difference: how risky it is,
 * which lock its statement takes and whether it may be applied in place. Pure logic: the live side arrives as a
 * {@link LiveSchema} read beforehand.
 *
 * <p>Classification (the README has the full table): each change has one primary classification, the one that
 * decides its path, and the detail lists every hazard as {@code hazards: A, B}. Only ADDITIVE, RELAXING and
 * IDENTIFIER_TOO_LONG changes are IN_PLACE: they proceed on their own under the BACKWARD compatibility mode. Type
 * changes are always SHADOW_TABLE (never a plain ALTER ... TYPE), anything else NEEDS_APPROVAL.
 *
 * <p>Only what this subject owns is ever proposed for dropping: tables and columns that the previous version of the
 * subject compiled into the same target schema. Anything else in the schema (other subjects' tables, columns a DBA
 * added by hand) is left alone.
 *
 * <p>Order: CREATE_SCHEMA, CREATE_TABLE (by table), ADD_COLUMN (by table, column order), then per table type
 * changes and nullability changes, then index changes, column drops, and table drops last.
 */
public final class SchemaDiffer {

    public static final String ADDITIVE = "ADDITIVE";
    public static final String RELAXING = "RELAXING";
    public static final String REWRITE = "REWRITE";
    public static final String LOCKING = "LOCKING";
    public static final String DATA_DEPENDENT = "DATA_DEPENDENT";
    public static final String DESTRUCTIVE = "DESTRUCTIVE";
    public static final String BACKWARD_INCOMPATIBLE = "BACKWARD_INCOMPATIBLE";
    public static final String IDENTIFIER_TOO_LONG = "IDENTIFIER_TOO_LONG";
    /** The classifications that proceed on their own in BACKWARD mode. */
    public static final Set<String> SAFE = Set.of(ADDITIVE, RELAXING, IDENTIFIER_TOO_LONG);
    public static final String IN_PLACE = "IN_PLACE";
    public static final String SHADOW_TABLE = "SHADOW_TABLE";
    public static final String NEEDS_APPROVAL = "NEEDS_APPROVAL";
    public static final String NO_LOCK = "NONE";
    public static final String SHARE_UPDATE_EXCLUSIVE = "SHARE UPDATE EXCLUSIVE";
    public static final String ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE";

    private SchemaDiffer() {
    }

    /** As {@link #diff(String, CompiledModel, LiveSchema, CompiledModel, boolean)} without index changes. */
    public static List<SchemaChange> diff(String schema, CompiledModel model, LiveSchema live, CompiledModel previous) {
        return diff(schema, model, live, previous, false);
    }

    /**
     * @param previous    the model of the subject's previous version if it targeted the same database and schema,
     *                    else null: it says which live tables and columns the subject owns
     * @param withIndexes also report the recommended indexes that are missing, and those that exist but are INVALID
     */
    public static List<SchemaChange> diff(String schema, CompiledModel model, LiveSchema live, CompiledModel previous,
                                          boolean withIndexes) {
        List<SchemaChange> creates = new ArrayList<>();
        List<SchemaChange> adds = new ArrayList<>();
        List<SchemaChange> alters = new ArrayList<>();
        List<SchemaChange> indexes = new ArrayList<>();
        List<SchemaChange> drops = new ArrayList<>();
        Map<String, LiveSchema.Table> liveTables = live.exists() ? live.tables() : Map.of();
        List<RecommendedIndex> recommended = withIndexes ? IndexAdvisor.recommend(model) : List.of();

        if (!live.exists()) {
            creates.add(change("CREATE_SCHEMA", "", null, ADDITIVE, NO_LOCK, IN_PLACE,
                    Ddl.createSchema(schema), "schema " + SqlIdentifiers.quote(schema) + " does not exist yet"));
        }
        for (CompiledTable table : model.tables()) {
            LiveSchema.Table existing = liveTables.get(table.name());
            if (existing == null) {
                creates.add(createTable(schema, table));
                for (RecommendedIndex index : IndexAdvisor.forTable(recommended, table.name())) {
                    indexes.add(createIndex(schema, index, "new table"));
                }
                continue;
            }
            CompiledTable owned = previous == null ? null : previous.table(table.name()).orElse(null);
            for (CompiledColumn column : table.columns()) {
                LiveSchema.Column liveColumn = existing.columns().get(column.name());
                if (liveColumn == null) {
                    adds.add(addColumn(schema, table, column, existing));
                    continue;
                }
                if (!column.type().equals(liveColumn.type())) {
                    alters.add(alterType(schema, table, column, liveColumn, existing));
                }
                if (column.nullable() && liveColumn.notNull() && !existing.primaryKey().contains(column.name())) {
                    alters.add(change("DROP_NOT_NULL", table.name(), column.name(), RELAXING, ACCESS_EXCLUSIVE,
                            IN_PLACE, Ddl.dropNotNull(schema, table.name(), column.name()),
                            "hazards: RELAXING; catalog-only change, writers may now omit the column; the lock is brief "
                                    + "but queues behind running queries, so apply with a short lock_timeout"));
                } else if (!column.nullable() && !liveColumn.notNull()) {
                    alters.add(change("SET_NOT_NULL", table.name(), column.name(), DATA_DEPENDENT, ACCESS_EXCLUSIVE,
                            NEEDS_APPROVAL, Ddl.setNotNull(schema, table.name(), column.name()),
                            "hazards: DATA_DEPENDENT, LOCKING, BACKWARD_INCOMPATIBLE; scans all ~" + existing.estimatedRows()
                                    + " rows under ACCESS EXCLUSIVE, fails if any is NULL, and writers that omit the column "
                                    + "start failing"));
                }
            }
            if (table.columns().stream().anyMatch(CompiledColumn::primaryKey) && existing.primaryKey().isEmpty()) {
                List<String> key = table.columns().stream().filter(CompiledColumn::primaryKey).map(CompiledColumn::name).toList();
                if (key.stream().allMatch(existing.columns()::containsKey)) {
                    indexes.add(change("CREATE_INDEX", table.name(), String.join(",", key), LOCKING, ACCESS_EXCLUSIVE,
                            NEEDS_APPROVAL, Ddl.addPrimaryKey(schema, table.name(), key),
                            "hazards: LOCKING, DATA_DEPENDENT; the live table has no primary key: adding it builds a unique "
                                    + "index over ~" + existing.estimatedRows() + " rows under ACCESS EXCLUSIVE and fails on NULL "
                                    + "or duplicate keys (gentler: CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... "
                                    + "PRIMARY KEY USING INDEX)"));
                }
            }
            for (RecommendedIndex index : IndexAdvisor.forTable(recommended, table.name())) {
                indexChanges(schema, index, existing, indexes);
            }
            if (owned != null) {
                for (CompiledColumn gone : owned.columns()) {
                    if (table.column(gone.name()).isEmpty() && existing.columns().containsKey(gone.name())) {
                        drops.add(change("DROP_COLUMN", table.name(), gone.name(), DESTRUCTIVE, ACCESS_EXCLUSIVE,
                                NEEDS_APPROVAL, Ddl.dropColumn(schema, table.name(), gone.name()),
                                "hazards: DESTRUCTIVE, BACKWARD_INCOMPATIBLE; property '" + gone.property()
                                        + "' left the spec; dropping the column discards its data in ~" + existing.estimatedRows()
                                        + " rows and breaks every client that still reads or writes it"));
                    }
                }
            }
        }
        List<SchemaChange> tableDrops = new ArrayList<>();
        if (previous != null) {
            for (CompiledTable gone : previous.tables()) {
                LiveSchema.Table existing = liveTables.get(gone.name());
                if (model.table(gone.name()).isEmpty() && existing != null) {
                    tableDrops.add(change("DROP_TABLE", gone.name(), null, DESTRUCTIVE, ACCESS_EXCLUSIVE,
                            NEEDS_APPROVAL, Ddl.dropTable(schema, gone.name()),
                            "hazards: DESTRUCTIVE, BACKWARD_INCOMPATIBLE; component schema '" + gone.source()
                                    + "' left the spec (or the objects selection); dropping the table discards ~"
                                    + existing.estimatedRows() + " rows and breaks every client that queries it"));
                }
            }
        }
        List<SchemaChange> all = new ArrayList<>(creates.size() + adds.size() + alters.size() + indexes.size()
                + drops.size() + tableDrops.size());
        all.addAll(creates);
        all.addAll(adds);
        all.addAll(alters);
        all.addAll(indexes);
        all.addAll(drops);
        all.addAll(tableDrops);
        return List.copyOf(all);
    }

    /** The one place a change is built, so that the event's shape is decided here only. */
    static SchemaChange change(String kind, String table, String column, String classification, String lockLevel,
                               String path, String sql, String detail) {
        return new SchemaChange(kind, table, column, classification, lockLevel, path, sql, detail);
    }

    private static SchemaChange alterType(String schema, CompiledTable table, CompiledColumn column, LiveSchema.Column liveColumn,
                                          LiveSchema.Table existing) {
        TypeChanges.Assessment a = TypeChanges.assess(liveColumn.type(), column.type());
        // the sql text is read by migration-worker (TypeNames.fromDifferDescription): keep its shape
        return change("ALTER_COLUMN_TYPE", table.name(), column.name(), a.classification(), ACCESS_EXCLUSIVE, SHADOW_TABLE,
                "target state: " + SqlIdentifiers.qualified(schema, table.name()) + "." + SqlIdentifiers.quote(column.name())
                        + " of type " + column.type() + " (live: " + liveColumn.type() + ")",
                "hazards: " + String.join(", ", a.hazards()) + "; " + a.why() + "; a plain ALTER ... TYPE would hold "
                        + "ACCESS EXCLUSIVE for the whole copy of ~" + existing.estimatedRows()
                        + " rows: copy through a shadow table instead");
    }

    private static void indexChanges(String schema, RecommendedIndex index, LiveSchema.Table existing, List<SchemaChange> out) {
        LiveSchema.Index named = existing.indexes().stream().filter(i -> i.name().equals(index.name())).findFirst().orElse(null);
        if (named != null) {
            if (!named.valid()) {
                out.add(change("DROP_INDEX", index.table(), String.join(",", index.columns()), RELAXING, SHARE_UPDATE_EXCLUSIVE,
                        IN_PLACE, Ddl.dropIndexConcurrently(schema, index.name()),
                        "hazards: RELAXING; index " + SqlIdentifiers.quote(index.name()) + " is INVALID (an earlier CREATE INDEX "
                                + "CONCURRENTLY failed): no query uses it but every write maintains it; dropped CONCURRENTLY "
                                + "and built again below"));
                out.add(createIndex(schema, index, "rebuilding an INVALID index"));
            }
            return;
        }
        boolean covered = existing.indexes().stream().anyMatch(i -> i.valid() && i.method().equals(index.method())
                && i.columns().equals(index.columns()) && (i.unique() || !index.unique()));
        if (!covered) {
            out.add(createIndex(schema, index, "~" + existing.estimatedRows() + " rows"));
        }
    }

    private static SchemaChange createIndex(String schema, RecommendedIndex index, String context) {
        return change("CREATE_INDEX", index.table(), String.join(",", index.columns()), ADDITIVE, SHARE_UPDATE_EXCLUSIVE,
                IN_PLACE, Ddl.createIndex(schema, index),
                "hazards: ADDITIVE; recommended: " + index.reason() + " (" + context + "); CONCURRENTLY takes SHARE UPDATE "
                        + "EXCLUSIVE, so reads and writes go on; it cannot run in a transaction block and, if it fails, "
                        + "leaves an INVALID index that the next diff reports (a plain CREATE INDEX would be LOCKING: "
                        + "SHARE blocks writes for the whole build)");
    }

    private static SchemaChange createTable(String schema, CompiledTable table) {
        List<String> shortened = new ArrayList<>();
        if (table.shortened()) {
            shortened.add("table '" + table.originalName() + "' -> '" + table.name() + "'");
        }
        for (CompiledColumn c : table.columns()) {
            if (c.shortened()) {
                shortened.add("column '" + c.originalName() + "' -> '" + c.name() + "'");
            }
        }
        String detail = "hazards: " + (shortened.isEmpty() ? "ADDITIVE" : "IDENTIFIER_TOO_LONG, ADDITIVE")
                + "; from component schema '" + table.source() + "', " + table.columns().size()
                + " columns and its primary key; new table, no existing rows are locked";
        if (!shortened.isEmpty()) {
            detail += "; names longer than " + SqlIdentifiers.MAX_BYTES + " bytes were shortened: " + String.join(", ", shortened);
        }
        return change("CREATE_TABLE", table.name(), null, shortened.isEmpty() ? ADDITIVE : IDENTIFIER_TOO_LONG,
                NO_LOCK, IN_PLACE, Ddl.createTable(schema, table), detail);
    }

    private static SchemaChange addColumn(String schema, CompiledTable table, CompiledColumn column, LiveSchema.Table existing) {
        if (!column.nullable()) {
            // a NOT NULL column without a default cannot be added to a table that has rows
            return change("ADD_COLUMN", table.name(), column.name(), DATA_DEPENDENT, ACCESS_EXCLUSIVE, NEEDS_APPROVAL,
                    "target state: " + SqlIdentifiers.qualified(schema, table.name()) + " has primary key column "
                            + SqlIdentifiers.quote(column.name()) + " " + column.type(),
                    "hazards: DATA_DEPENDENT, LOCKING; the existing table has no '" + column.name() + "' column; every one "
                            + "of its ~" + existing.estimatedRows() + " rows needs a value before it can become the primary key");
        }
        String detail = "hazards: " + (column.shortened() ? "IDENTIFIER_TOO_LONG, ADDITIVE" : "ADDITIVE")
                + "; nullable, no default: a catalog-only change, no rewrite, but ACCESS EXCLUSIVE is taken briefly "
                + "and queues behind running queries; apply with a short lock_timeout";
        if (column.shortened()) {
            detail += "; name longer than " + SqlIdentifiers.MAX_BYTES + " bytes shortened: '" + column.originalName() + "' -> '" + column.name() + "'";
        }
        return change("ADD_COLUMN", table.name(), column.name(), column.shortened() ? IDENTIFIER_TOO_LONG : ADDITIVE,
                ACCESS_EXCLUSIVE, IN_PLACE, Ddl.addColumn(schema, table.name(), column), detail);
    }
}
