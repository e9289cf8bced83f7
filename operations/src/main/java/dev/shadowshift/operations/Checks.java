package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.SqlIdentifiers;

/** The checks every operation starts with: the fields its kind needs, names PostgreSQL can hold, the table. */
final class Checks {

    private Checks() {
    }

    static String name(SchemaChange c, String what, String value) throws OperationRefused {
        if (value == null || value.isEmpty()) {
            throw new OperationRefused.FieldMissing(c, what);
        }
        if (value.indexOf('\0') >= 0) {
            throw new OperationRefused.InvalidName(c, what, "contains a NUL character");
        }
        if (!SqlIdentifiers.fits(value)) {
            throw new OperationRefused.InvalidName(c, what + " '" + value + "'", "is longer than " + SqlIdentifiers.MAX_BYTES + " bytes");
        }
        return value;
    }

    static void schema(SchemaChange c, Catalog catalog) throws OperationRefused {
        name(c, "schema", c.schema());
        if (!c.schema().equals(catalog.schema())) {
            throw new OperationRefused.SchemaMismatch(c, catalog.schema());
        }
    }

    static Catalog.Table table(SchemaChange c, Catalog catalog) throws OperationRefused {
        schema(c, catalog);
        name(c, "table", c.table());
        if (!catalog.schemaExists()) {
            throw new OperationRefused.SchemaMissing(c);
        }
        return catalog.table(c.table()).orElseThrow(() -> new OperationRefused.TableMissing(c, c.table()));
    }

    static Catalog.Column column(SchemaChange c, Catalog.Table table) throws OperationRefused {
        name(c, "column", c.column());
        return table.column(c.column()).orElseThrow(() -> new OperationRefused.ColumnMissing(c, c.column()));
    }

    static String type(SchemaChange c, Catalog catalog, String type) throws OperationRefused {
        if (type == null || type.isEmpty()) {
            throw new OperationRefused.FieldMissing(c, "toType");
        }
        return catalog.canonicalType(type).orElseThrow(() -> new OperationRefused.TypeUnknown(c, type));
    }

    static String qualified(SchemaChange c) {
        return SqlIdentifiers.qualified(c.schema(), c.table());
    }
}
