package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.SqlIdentifiers;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** CREATE TABLE with its columns and primary key: additive, the new table is nobody's yet. */
public record CreateTable(SchemaChange change) implements Operation {

    @Override
    public Decision validate(Catalog catalog) throws OperationRefused {
        Checks.schema(change, catalog);
        Checks.name(change, "table", change.table());
        if (!catalog.schemaExists()) {
            throw new OperationRefused.SchemaMissing(change);
        }
        if (change.columns() == null || change.columns().isEmpty()) {
            throw new OperationRefused.FieldMissing(change, "columns");
        }
        Set<String> seen = new HashSet<>();
        for (SchemaChange.ColumnSpec col : change.columns()) {
            Checks.name(change, "column", col.name());
            if (!seen.add(col.name())) {
                throw new OperationRefused.DuplicateColumn(change, col.name());
            }
            Checks.type(change, catalog, col.type());
        }
        var existing = catalog.table(change.table());
        if (existing.isPresent()) {
            List<String> differences = new ArrayList<>();
            for (SchemaChange.ColumnSpec col : change.columns()) {
                var live = existing.get().column(col.name());
                if (live.isEmpty()) {
                    differences.add("no column '" + col.name() + "'");
                } else if (!live.get().type().equals(col.type())) {
                    differences.add("'" + col.name() + "' is " + live.get().type() + ", not " + col.type());
                }
            }
            if (!differences.isEmpty()) {
                throw new OperationRefused.TableExists(change, String.join(", ", differences));
            }
            return Decision.nothing(LockLevel.NONE, "table exists with these columns", Classification.ADDITIVE);
        }
        return Decision.inPlace(LockLevel.NONE, "new table of " + change.columns().size() + " columns; no existing row is locked",
                Classification.ADDITIVE);
    }

    @Override
    public void applyTo(Catalog catalog) {
        if (catalog.table(change.table()).isPresent()) {
            return;
        }
        Catalog.Table t = catalog.createTable(change.table());
        for (SchemaChange.ColumnSpec col : change.columns()) {
            t.columns.put(col.name(), new Catalog.Column(col.name(), col.type(), !col.nullable() || col.primaryKey()));
            if (col.primaryKey()) {
                t.primaryKey.add(col.name());
            }
        }
        if (!t.primaryKey.isEmpty()) {
            catalog.putIndex(new Catalog.Index(primaryKeyName(change.table()), change.table(), "btree", List.copyOf(t.primaryKey),
                    true, true, true));
        }
    }

    @Override
    public List<String> statements() {
        List<String> lines = new ArrayList<>();
        List<String> key = new ArrayList<>();
        for (SchemaChange.ColumnSpec col : change.columns()) {
            lines.add("  " + SqlIdentifiers.quote(col.name()) + " " + col.type() + (col.nullable() && !col.primaryKey() ? "" : " NOT NULL"));
            if (col.primaryKey()) {
                key.add(SqlIdentifiers.quote(col.name()));
            }
        }
        if (!key.isEmpty()) {
            // named explicitly so that a long table name gives a deterministic, non-truncated constraint name
            lines.add("  CONSTRAINT " + SqlIdentifiers.quote(primaryKeyName(change.table())) + " PRIMARY KEY (" + String.join(", ", key) + ")");
        }
        return List.of("CREATE TABLE IF NOT EXISTS " + Checks.qualified(change) + " (\n" + String.join(",\n", lines) + "\n)");
    }

    @Override
    public List<String> rollbackStatements() {
        return List.of("DROP TABLE IF EXISTS " + Checks.qualified(change));
    }

    public static String primaryKeyName(String table) {
        return SqlIdentifiers.shorten(table + "_pkey");
    }
}
