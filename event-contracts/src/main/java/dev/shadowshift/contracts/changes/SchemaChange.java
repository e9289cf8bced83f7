package dev.shadowshift.contracts.changes;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * One difference between a compiled spec and the live database, as data only: nothing in it is SQL or is executed.
 * The migration worker renders every statement itself from these typed fields and the live catalog, and re-derives
 * {@code classification}, {@code lockLevel} and {@code path}: those three are the producer's advisory reading, for
 * people and dashboards, never the basis of a decision.
 *
 * @param schema       the PostgreSQL schema (the event's own schema)
 * @param table        the table; null for CREATE_SCHEMA
 * @param column       the column of ADD_COLUMN, ALTER_COLUMN_TYPE, SET/DROP_NOT_NULL, DROP_COLUMN
 * @param fromType     the live type the producer saw (ALTER_COLUMN_TYPE); advisory, the worker reads the catalog
 * @param toType       the new type (ADD_COLUMN, ALTER_COLUMN_TYPE), a PostgreSQL type name the server checks
 * @param nullable     ADD_COLUMN: whether the new column takes NULL (default true)
 * @param defaultValue ADD_COLUMN: a typed literal, or null for no default
 * @param index        CREATE_INDEX / DROP_INDEX
 * @param columns      CREATE_TABLE: the table's columns in order
 * @param reason       why the producer proposes the change, in words, with the hazards it saw
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SchemaChange(
        ChangeKind kind,
        String schema,
        String table,
        String column,
        String fromType,
        String toType,
        Boolean nullable,
        @JsonProperty("default") TypedLiteral defaultValue,
        IndexSpec index,
        List<ColumnSpec> columns,
        String reason,
        Classification classification,
        LockLevel lockLevel,
        ChangePath path) {

    /** A value and the type it is a literal of, e.g. {@code {"type":"bigint","value":"0"}}; the server casts it. */
    public record TypedLiteral(String type, String value) {
    }

    /**
     * @param method     btree (default), hash, gist, gin, brin or spgist
     * @param primaryKey the index is the table's primary key (added with ADD CONSTRAINT ... PRIMARY KEY)
     */
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public record IndexSpec(String name, List<String> columns, boolean unique, String method, boolean primaryKey) {
    }

    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public record ColumnSpec(String name, String type, boolean nullable, boolean primaryKey) {
    }

    /** The same change with the producer's advisory labels replaced. */
    public SchemaChange labelled(Classification classification, LockLevel lockLevel, ChangePath path) {
        return new SchemaChange(kind, schema, table, column, fromType, toType, nullable, defaultValue, index, columns,
                reason, classification, lockLevel, path);
    }

    public SchemaChange withReason(String reason) {
        return new SchemaChange(kind, schema, table, column, fromType, toType, nullable, defaultValue, index, columns,
                reason, classification, lockLevel, path);
    }

    /** {@code table.column}, {@code table} or {@code schema}: what a message about the change names. */
    public String target() {
        if (table == null) {
            return "schema " + schema;
        }
        return column == null ? table : table + "." + column;
    }
}
