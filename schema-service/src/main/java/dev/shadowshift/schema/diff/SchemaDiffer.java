package dev.shadowshift.schema.diff;

import dev.shadowshift.contracts.events.SchemaChange;
import dev.shadowshift.pg.LiveSchema;
import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.schema.compile.CompiledColumn;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.CompiledTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares a compiled model with what the target schema holds and classifies each difference: how risky it is,
 * which lock its statement takes and whether it may be applied in place. Pure logic: the live side arrives as a
 * {@link LiveSchema} read beforehand.
 *
 * <p>Only what this subject owns is ever proposed for dropping: tables and columns that the previous version of the
 * subject compiled into the same target schema. Anything else in the schema (other subjects' tables, columns a DBA
 * added by hand) is left alone.
 *
 * <p>Order: CREATE_SCHEMA, CREATE_TABLE (by table), ADD_COLUMN (by table, column order), then per table type
 * changes, nullability changes and column drops, and table drops last.
 */
public final class SchemaDiffer {

    public static final String ADDITIVE = "ADDITIVE";
    public static final String RELAXING = "RELAXING";
    public static final String REWRITE = "REWRITE";
    public static final String DATA_DEPENDENT = "DATA_DEPENDENT";
    public static final String DESTRUCTIVE = "DESTRUCTIVE";
    public static final String IDENTIFIER_TOO_LONG = "IDENTIFIER_TOO_LONG";
    public static final String IN_PLACE = "IN_PLACE";
    public static final String SHADOW_TABLE = "SHADOW_TABLE";
    public static final String NEEDS_APPROVAL = "NEEDS_APPROVAL";
    public static final String NO_LOCK = "NONE";
    public static final String ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE";

    private SchemaDiffer() {
    }

    /**
     * @param previous the model of the subject's previous version if it targeted the same database and schema,
     *                 else null: it says which live tables and columns the subject owns
     */
    public static List<SchemaChange> diff(String schema, CompiledModel model, LiveSchema live, CompiledModel previous) {
        List<SchemaChange> creates = new ArrayList<>();
        List<SchemaChange> adds = new ArrayList<>();
        List<SchemaChange> alters = new ArrayList<>();
        List<SchemaChange> drops = new ArrayList<>();
        Map<String, LiveSchema.Table> liveTables = live.exists() ? live.tables() : Map.of();

        if (!live.exists()) {
            creates.add(new SchemaChange("CREATE_SCHEMA", "", null, ADDITIVE, NO_LOCK, IN_PLACE,
                    Ddl.createSchema(schema), "schema " + SqlIdentifiers.quote(schema) + " does not exist yet"));
        }
        for (CompiledTable table : model.tables()) {
            LiveSchema.Table existing = liveTables.get(table.name());
            if (existing == null) {
                creates.add(createTable(schema, table));
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
                    alters.add(new SchemaChange("ALTER_COLUMN_TYPE", table.name(), column.name(), REWRITE, ACCESS_EXCLUSIVE,
                            SHADOW_TABLE,
                            "target state: " + SqlIdentifiers.qualified(schema, table.name()) + "." + SqlIdentifiers.quote(column.name())
                                    + " of type " + column.type() + " (live: " + liveColumn.type() + ")",
                            "changing " + liveColumn.type() + " to " + column.type() + " rewrites the table under ACCESS EXCLUSIVE; "
                                    + "about " + existing.estimatedRows() + " rows: copy through a shadow table instead"));
                }
                if (column.nullable() && liveColumn.notNull() && !existing.primaryKey().contains(column.name())) {
                    alters.add(new SchemaChange("DROP_NOT_NULL", table.name(), column.name(), RELAXING, ACCESS_EXCLUSIVE,
                            IN_PLACE, Ddl.dropNotNull(schema, table.name(), column.name()),
                            "catalog-only change; the lock is brief but queues behind running queries"));
                } else if (!column.nullable() && !liveColumn.notNull()) {
                    alters.add(new SchemaChange("SET_NOT_NULL", table.name(), column.name(), DATA_DEPENDENT, ACCESS_EXCLUSIVE,
                            NEEDS_APPROVAL, Ddl.setNotNull(schema, table.name(), column.name()),
                            "scans all ~" + existing.estimatedRows() + " rows under ACCESS EXCLUSIVE and fails if any is NULL"));
                }
            }
            if (owned != null) {
                for (CompiledColumn gone : owned.columns()) {
                    if (table.column(gone.name()).isEmpty() && existing.columns().containsKey(gone.name())) {
                        drops.add(new SchemaChange("DROP_COLUMN", table.name(), gone.name(), DESTRUCTIVE, ACCESS_EXCLUSIVE,
                                NEEDS_APPROVAL, Ddl.dropColumn(schema, table.name(), gone.name()),
                                "property '" + gone.property() + "' left the spec; dropping the column discards its data in ~"
                                        + existing.estimatedRows() + " rows"));
                    }
                }
            }
        }
        List<SchemaChange> tableDrops = new ArrayList<>();
        if (previous != null) {
            for (CompiledTable gone : previous.tables()) {
                LiveSchema.Table existing = liveTables.get(gone.name());
                if (model.table(gone.name()).isEmpty() && existing != null) {
                    tableDrops.add(new SchemaChange("DROP_TABLE", gone.name(), null, DESTRUCTIVE, ACCESS_EXCLUSIVE,
                            NEEDS_APPROVAL, Ddl.dropTable(schema, gone.name()),
                            "component schema '" + gone.source() + "' left the spec (or the objects selection); dropping the table "
                                    + "discards ~" + existing.estimatedRows() + " rows"));
                }
            }
        }
        List<SchemaChange> all = new ArrayList<>(creates.size() + adds.size() + alters.size() + drops.size() + tableDrops.size());
        all.addAll(creates);
        all.addAll(adds);
        all.addAll(alters);
        all.addAll(drops);
        all.addAll(tableDrops);
        return List.copyOf(all);
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
        String detail = "from component schema '" + table.source() + "', " + table.columns().size() + " columns; new table, no existing rows are locked";
        if (!shortened.isEmpty()) {
            detail += "; names longer than " + SqlIdentifiers.MAX_BYTES + " bytes were shortened: " + String.join(", ", shortened);
        }
        return new SchemaChange("CREATE_TABLE", table.name(), null, shortened.isEmpty() ? ADDITIVE : IDENTIFIER_TOO_LONG,
                NO_LOCK, IN_PLACE, Ddl.createTable(schema, table), detail);
    }

    private static SchemaChange addColumn(String schema, CompiledTable table, CompiledColumn column, LiveSchema.Table existing) {
        if (!column.nullable()) {
            // a NOT NULL column without a default cannot be added to a table that has rows
            return new SchemaChange("ADD_COLUMN", table.name(), column.name(), DATA_DEPENDENT, ACCESS_EXCLUSIVE, NEEDS_APPROVAL,
                    "target state: " + SqlIdentifiers.qualified(schema, table.name()) + " has primary key column "
                            + SqlIdentifiers.quote(column.name()) + " " + column.type(),
                    "the existing table has no '" + column.name() + "' column; every one of its ~" + existing.estimatedRows()
                            + " rows needs a value before it can become the primary key");
        }
        String detail = "nullable, no default: a catalog-only change, no rewrite, but ACCESS EXCLUSIVE is taken briefly "
                + "and queues behind running queries; apply with a short lock_timeout";
        if (column.shortened()) {
            detail += "; name longer than " + SqlIdentifiers.MAX_BYTES + " bytes shortened: '" + column.originalName() + "' -> '" + column.name() + "'";
        }
        return new SchemaChange("ADD_COLUMN", table.name(), column.name(), column.shortened() ? IDENTIFIER_TOO_LONG : ADDITIVE,
                ACCESS_EXCLUSIVE, IN_PLACE, Ddl.addColumn(schema, table.name(), column), detail);
    }
}
