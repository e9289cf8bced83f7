package dev.shadowshift.schema.diff;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.operations.Catalog;
import dev.shadowshift.operations.Decision;
import dev.shadowshift.operations.Operations;
import dev.shadowshift.pg.LiveSchema;
import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.schema.compile.CompiledColumn;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.CompiledTable;
import dev.shadowshift.schema.compile.IndexAdvisor;
import dev.shadowshift.schema.compile.Names;
import dev.shadowshift.schema.compile.RecommendedIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Compares a compiled model with what the target schema holds and proposes typed changes
 * ({@code dev.shadowshift.spec.changed.v2}: data only, no SQL). Pure logic: the live side arrives as a
 * {@link LiveSchema} read beforehand.
 *
 * <p>Each change's advisory classification, lock and path come from the same operation classes the migration worker
 * runs ({@link Operations}), validated in order against the live catalog, so that the differ, the CLI and the worker
 * tell one story; the worker still decides for itself. The reason says what the differ saw, with every hazard as
 * {@code hazards: A, B; ...}.
 *
 * <p>Only what this subject owns is ever proposed for dropping: tables and columns that the previous version of the
 * subject compiled into the same target schema. Anything else in the schema (other subjects' tables, columns a DBA
 * added by hand) is left alone.
 *
 * <p>Order: CREATE_SCHEMA, CREATE_TABLE (by table), ADD_COLUMN (by table, column order), then per table type
 * changes and nullability changes, then index changes, column drops, and table drops last.
 */
public final class SchemaDiffer {

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
        List<String> shortened = new ArrayList<>();
        Map<String, LiveSchema.Table> liveTables = live.exists() ? live.tables() : Map.of();
        List<RecommendedIndex> recommended = withIndexes ? IndexAdvisor.recommend(model) : List.of();

        if (!live.exists()) {
            creates.add(Changes.createSchema(schema, "schema " + SqlIdentifiers.quote(schema) + " does not exist yet"));
        }
        for (CompiledTable table : model.tables()) {
            LiveSchema.Table existing = liveTables.get(table.name());
            if (existing == null) {
                creates.add(Changes.createTable(schema, table, createTableReason(table, shortened)));
                for (RecommendedIndex index : IndexAdvisor.forTable(recommended, table.name())) {
                    indexes.add(Changes.index(ChangeKind.CREATE_INDEX, schema, index, "recommended: " + index.reason() + " (new table)"));
                }
                continue;
            }
            CompiledTable owned = previous == null ? null : previous.table(table.name()).orElse(null);
            for (CompiledColumn column : table.columns()) {
                LiveSchema.Column liveColumn = existing.columns().get(column.name());
                if (liveColumn == null) {
                    String reason = "property '" + column.property() + "' is new";
                    if (column.shortened()) {
                        shortened.add(table.name() + "." + column.name());
                        reason += "; name longer than " + SqlIdentifiers.MAX_BYTES + " bytes shortened: '" + column.originalName()
                                + "' -> '" + column.name() + "'";
                    }
                    adds.add(Changes.addColumn(schema, table.name(), column, reason));
                    continue;
                }
                if (!column.type().equals(liveColumn.type())) {
                    alters.add(Changes.alterType(schema, table.name(), column.name(), liveColumn.type(), column.type(),
                            "the spec's type is " + column.type() + ", the live column's " + liveColumn.type()));
                }
                if (column.nullable() && liveColumn.notNull() && !existing.primaryKey().contains(column.name())) {
                    alters.add(Changes.column(ChangeKind.DROP_NOT_NULL, schema, table.name(), column.name(),
                            "the spec lets '" + column.property() + "' be absent"));
                } else if (!column.nullable() && !liveColumn.notNull()) {
                    alters.add(Changes.column(ChangeKind.SET_NOT_NULL, schema, table.name(), column.name(),
                            "the spec requires '" + column.property() + "'"));
                }
            }
            if (table.columns().stream().anyMatch(CompiledColumn::primaryKey) && existing.primaryKey().isEmpty()) {
                List<String> key = table.columns().stream().filter(CompiledColumn::primaryKey).map(CompiledColumn::name).toList();
                if (key.stream().allMatch(existing.columns()::containsKey)) {
                    indexes.add(Changes.primaryKey(schema, table.name(), Names.primaryKeyName(table.name()), key,
                            "the live table has no primary key (gentler by hand: CREATE UNIQUE INDEX CONCURRENTLY, then ADD "
                                    + "CONSTRAINT ... PRIMARY KEY USING INDEX)"));
                }
            }
            for (RecommendedIndex index : IndexAdvisor.forTable(recommended, table.name())) {
                indexChanges(schema, index, existing, indexes);
            }
            if (owned != null) {
                for (CompiledColumn gone : owned.columns()) {
                    if (table.column(gone.name()).isEmpty() && existing.columns().containsKey(gone.name())) {
                        drops.add(Changes.column(ChangeKind.DROP_COLUMN, schema, table.name(), gone.name(),
                                "property '" + gone.property() + "' left the spec"));
                    }
                }
            }
        }
        List<SchemaChange> tableDrops = new ArrayList<>();
        if (previous != null) {
            for (CompiledTable gone : previous.tables()) {
                if (model.table(gone.name()).isEmpty() && liveTables.containsKey(gone.name())) {
                    tableDrops.add(Changes.table(ChangeKind.DROP_TABLE, schema, gone.name(), "component schema '" + gone.source()
                            + "' left the spec (or the objects selection)"));
                }
            }
        }
        List<SchemaChange> all = new ArrayList<>();
        all.addAll(creates);
        all.addAll(adds);
        all.addAll(alters);
        all.addAll(indexes);
        all.addAll(drops);
        all.addAll(tableDrops);
        return label(all, Catalog.ofCompilerTypes(new LiveSchema(schema, live.exists(), live.tables())), shortened);
    }

    /**
     * The advisory labels, from the operations the worker runs: each change validated against the catalog the changes
     * before it leave. A change an operation refuses as described (a NOT NULL key column added to a table with rows)
     * is labelled for approval with the refusal as its hazard text.
     */
    private static List<SchemaChange> label(List<SchemaChange> changes, Catalog catalog, List<String> shortened) {
        List<SchemaChange> out = new ArrayList<>(changes.size());
        for (Operations.Result result : Operations.validate(changes, catalog).results()) {
            SchemaChange change = result.change();
            if (result.validated() != null) {
                Decision d = result.validated().decision();
                List<Classification> hazards = new ArrayList<>(d.hazards());
                if (isShortened(change, shortened)) {
                    hazards.add(0, Classification.IDENTIFIER_TOO_LONG);
                }
                String reason = "hazards: " + hazards.stream().map(Enum::name).collect(Collectors.joining(", ")) + "; "
                        + change.reason() + "; " + d.why();
                out.add(change.withReason(reason).labelled(hazards.get(0), d.lockLevel(), d.label()));
            } else {
                out.add(change.withReason("hazards: DATA_DEPENDENT, LOCKING; " + change.reason() + "; "
                        + result.refused().reason().getMessage())
                        .labelled(Classification.DATA_DEPENDENT, LockLevel.ACCESS_EXCLUSIVE, ChangePath.NEEDS_APPROVAL));
            }
        }
        return List.copyOf(out);
    }

    private static boolean isShortened(SchemaChange change, List<String> shortened) {
        return change.kind() == ChangeKind.CREATE_TABLE ? shortened.contains(change.table())
                : change.kind() == ChangeKind.ADD_COLUMN && shortened.contains(change.table() + "." + change.column());
    }

    private static String createTableReason(CompiledTable table, List<String> shortenedNames) {
        List<String> shortened = new ArrayList<>();
        if (table.shortened()) {
            shortened.add("table '" + table.originalName() + "' -> '" + table.name() + "'");
        }
        for (CompiledColumn c : table.columns()) {
            if (c.shortened()) {
                shortened.add("column '" + c.originalName() + "' -> '" + c.name() + "'");
            }
        }
        if (!shortened.isEmpty()) {
            shortenedNames.add(table.name());
        }
        return "from component schema '" + table.source() + "', " + table.columns().size() + " columns and its primary key"
                + (shortened.isEmpty() ? "" : "; names longer than " + SqlIdentifiers.MAX_BYTES + " bytes were shortened: "
                + String.join(", ", shortened));
    }

    private static void indexChanges(String schema, RecommendedIndex index, LiveSchema.Table existing, List<SchemaChange> out) {
        LiveSchema.Index named = existing.indexes().stream().filter(i -> i.name().equals(index.name())).findFirst().orElse(null);
        if (named != null) {
            if (!named.valid()) {
                out.add(Changes.index(ChangeKind.DROP_INDEX, schema, index, "index " + SqlIdentifiers.quote(index.name())
                        + " is INVALID (an earlier CREATE INDEX CONCURRENTLY failed); dropped CONCURRENTLY and built again below"));
                out.add(Changes.index(ChangeKind.CREATE_INDEX, schema, index, "recommended: " + index.reason()
                        + " (rebuilding an INVALID index)"));
            }
            return;
        }
        boolean covered = existing.indexes().stream().anyMatch(i -> i.valid() && i.method().equals(index.method())
                && i.columns().equals(index.columns()) && (i.unique() || !index.unique()));
        if (!covered) {
            out.add(Changes.index(ChangeKind.CREATE_INDEX, schema, index, "recommended: " + index.reason() + " (~"
                    + existing.estimatedRows() + " rows)"));
        }
    }
}
