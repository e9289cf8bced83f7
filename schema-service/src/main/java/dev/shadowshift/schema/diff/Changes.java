package dev.shadowshift.schema.diff;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.schema.compile.CompiledColumn;
import dev.shadowshift.schema.compile.CompiledTable;
import dev.shadowshift.schema.compile.RecommendedIndex;

import java.util.List;

/** The typed changes the differ proposes, built in one place so that the event's shape is decided here only. */
final class Changes {

    private Changes() {
    }

    static SchemaChange createSchema(String schema, String reason) {
        return of(ChangeKind.CREATE_SCHEMA, schema, null, null, null, null, null, null, null, reason);
    }

    static SchemaChange createTable(String schema, CompiledTable table, String reason) {
        List<SchemaChange.ColumnSpec> columns = table.columns().stream()
                .map(c -> new SchemaChange.ColumnSpec(c.name(), c.type(), c.nullable(), c.primaryKey())).toList();
        return of(ChangeKind.CREATE_TABLE, schema, table.name(), null, null, null, null, null, columns, reason);
    }

    static SchemaChange addColumn(String schema, String table, CompiledColumn column, String reason) {
        return of(ChangeKind.ADD_COLUMN, schema, table, column.name(), null, column.type(), column.nullable(), null, null, reason);
    }

    static SchemaChange alterType(String schema, String table, String column, String from, String to, String reason) {
        return of(ChangeKind.ALTER_COLUMN_TYPE, schema, table, column, from, to, null, null, null, reason);
    }

    static SchemaChange column(ChangeKind kind, String schema, String table, String column, String reason) {
        return of(kind, schema, table, column, null, null, null, null, null, reason);
    }

    static SchemaChange table(ChangeKind kind, String schema, String table, String reason) {
        return of(kind, schema, table, null, null, null, null, null, null, reason);
    }

    static SchemaChange index(ChangeKind kind, String schema, RecommendedIndex index, String reason) {
        return of(kind, schema, index.table(), null, null, null, null,
                new SchemaChange.IndexSpec(index.name(), index.columns(), index.unique(), index.method(), false), null, reason);
    }

    static SchemaChange primaryKey(String schema, String table, String name, List<String> columns, String reason) {
        return of(ChangeKind.CREATE_INDEX, schema, table, null, null, null, null,
                new SchemaChange.IndexSpec(name, columns, true, "btree", true), null, reason);
    }

    private static SchemaChange of(ChangeKind kind, String schema, String table, String column, String from, String to,
                                   Boolean nullable, SchemaChange.IndexSpec index, List<SchemaChange.ColumnSpec> columns, String reason) {
        return new SchemaChange(kind, schema, table, column, from, to, nullable, null, index, columns, reason, null, null, null);
    }
}
