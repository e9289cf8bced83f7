package dev.shadowshift.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;

import java.util.List;

/**
 * One step of a migration plan, in the order it runs, as data only: no statement travels with it. A reader that wants
 * the SQL renders it itself from these fields (the migration worker's dry run and the CLI do, for people to read).
 *
 * @param kind      the change a step applies in place, or the phase of a shadow-table rebuild
 * @param schema    the PostgreSQL schema
 * @param table     the table; null for CREATE_SCHEMA
 * @param column    the column of ADD_COLUMN, ALTER_COLUMN_TYPE, SET/DROP_NOT_NULL, DROP_COLUMN
 * @param fromType  ALTER_COLUMN_TYPE: the live type the worker read
 * @param toType    ADD_COLUMN, ALTER_COLUMN_TYPE: the new type as the server spells it
 * @param nullable  ADD_COLUMN: whether the new column takes NULL
 * @param index     CREATE_INDEX / DROP_INDEX
 * @param columns   CREATE_TABLE: the table's columns in order
 * @param rewrites  SHADOW_*: the column changes the rebuild of {@code table} makes
 * @param lockLevel the strongest table lock the step takes
 * @param path      IN_PLACE, SHADOW_TABLE, or NEEDS_APPROVAL for an in-place step that waits for an operator
 * @param hazards   what the worker found risky in the step, the primary classification first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanStep(
        int order,
        Kind kind,
        String schema,
        String table,
        String column,
        String fromType,
        String toType,
        Boolean nullable,
        @JsonProperty("default") SchemaChange.TypedLiteral defaultValue,
        SchemaChange.IndexSpec index,
        List<SchemaChange.ColumnSpec> columns,
        List<Rewrite> rewrites,
        LockLevel lockLevel,
        ChangePath path,
        List<Classification> hazards) {

    /** Every change kind, applied in place, and the four phases of a shadow-table rebuild. */
    public enum Kind {
        CREATE_SCHEMA, CREATE_TABLE, ADD_COLUMN, ALTER_COLUMN_TYPE, SET_NOT_NULL, DROP_NOT_NULL, CREATE_INDEX, DROP_INDEX,
        DROP_COLUMN, DROP_TABLE,
        SHADOW_PREPARE, SHADOW_COPY, SHADOW_OPTIMIZE, SHADOW_CUTOVER;

        public static Kind of(ChangeKind change) {
            return valueOf(change.name());
        }

        /** The change kind this step applies, or null for a shadow phase. */
        public ChangeKind changeKind() {
            return name().startsWith("SHADOW_") ? null : ChangeKind.valueOf(name());
        }
    }

    /**
     * One column of a shadow rebuild.
     *
     * @param fromType   the live type, or null when the worker reads it at run time
     * @param toType     the new type, or null when the type stays
     * @param setNotNull the column becomes NOT NULL
     */
    public record Rewrite(String column, String fromType, String toType, boolean setNotNull) {
    }

    /** The in-place step of one typed change, with the worker's own lock, path and hazards. */
    public static PlanStep of(int order, SchemaChange c, LockLevel lockLevel, ChangePath path, List<Classification> hazards) {
        return new PlanStep(order, Kind.of(c.kind()), c.schema(), c.table(), c.column(), c.fromType(), c.toType(), c.nullable(),
                c.defaultValue(), c.index(), c.columns(), null, lockLevel, path, hazards);
    }

    /** One phase of the shadow rebuild of {@code table}. */
    public static PlanStep shadow(int order, Kind phase, String schema, String table, List<Rewrite> rewrites, LockLevel lockLevel,
                                  List<Classification> hazards) {
        return new PlanStep(order, phase, schema, table, null, null, null, null, null, null, null, rewrites, lockLevel,
                ChangePath.SHADOW_TABLE, hazards);
    }

    /** The typed change an in-place step applies (without advisory labels), or null for a shadow phase. */
    public SchemaChange change() {
        ChangeKind k = kind.changeKind();
        return k == null ? null : new SchemaChange(k, schema, table, column, fromType, toType, nullable, defaultValue, index, columns,
                null, null, null, null);
    }
}
