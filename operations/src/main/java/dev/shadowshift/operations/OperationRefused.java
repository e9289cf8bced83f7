package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.SchemaChange;

/**
 * A change an operation refuses to carry out as described, and why, in words an operator can act on. Each way of
 * being refused has its own type (pgroll's errors.go in Java); nothing was changed in the target when one is thrown.
 */
public class OperationRefused extends Exception {

    private final transient SchemaChange change;

    OperationRefused(SchemaChange change, String message) {
        super(change.kind() + " on " + change.target() + ": " + message);
        this.change = change;
    }

    public SchemaChange change() {
        return change;
    }

    /** A field the kind needs is missing or empty. */
    public static final class FieldMissing extends OperationRefused {
        FieldMissing(SchemaChange c, String field) {
            super(c, "'" + field + "' is required for " + c.kind());
        }
    }

    /** A name PostgreSQL cannot hold (empty, a NUL, over 63 bytes). */
    public static final class InvalidName extends OperationRefused {
        InvalidName(SchemaChange c, String what, String why) {
            super(c, what + " " + why);
        }
    }

    /** The change names another schema than the plan's. */
    public static final class SchemaMismatch extends OperationRefused {
        SchemaMismatch(SchemaChange c, String planSchema) {
            super(c, "names schema '" + c.schema() + "', but the plan is for schema '" + planSchema + "'");
        }
    }

    public static final class SchemaMissing extends OperationRefused {
        SchemaMissing(SchemaChange c) {
            super(c, "schema '" + c.schema() + "' does not exist and no earlier change creates it");
        }
    }

    public static final class TableMissing extends OperationRefused {
        TableMissing(SchemaChange c, String table) {
            super(c, "table '" + table + "' does not exist in schema '" + c.schema() + "'");
        }
    }

    /** The table exists with other columns than the change wants. */
    public static final class TableExists extends OperationRefused {
        TableExists(SchemaChange c, String detail) {
            super(c, "table '" + c.table() + "' already exists, differently: " + detail);
        }
    }

    public static final class ColumnMissing extends OperationRefused {
        ColumnMissing(SchemaChange c, String column) {
            super(c, "column '" + column + "' does not exist in table '" + c.table() + "'");
        }
    }

    /** The column exists with another type than the change wants. */
    public static final class ColumnExists extends OperationRefused {
        ColumnExists(SchemaChange c, String liveType) {
            super(c, "column '" + c.column() + "' already exists with type " + liveType);
        }
    }

    /** Two columns of one CREATE_TABLE share a name. */
    public static final class DuplicateColumn extends OperationRefused {
        DuplicateColumn(SchemaChange c, String column) {
            super(c, "column '" + column + "' is listed twice");
        }
    }

    /** The server does not know the type (to_regtype gave NULL). */
    public static final class TypeUnknown extends OperationRefused {
        TypeUnknown(SchemaChange c, String type) {
            super(c, "'" + type + "' is not a type the target server knows (to_regtype found none)");
        }
    }

    /** The default's value does not cast to its type, or its type is not the column's. */
    public static final class DefaultInvalid extends OperationRefused {
        DefaultInvalid(SchemaChange c, String why) {
            super(c, "default " + why);
        }
    }

    /** A NOT NULL column without a default cannot be added to a table that may hold rows. */
    public static final class NotNullWithoutDefault extends OperationRefused {
        NotNullWithoutDefault(SchemaChange c, long rows) {
            super(c, "a NOT NULL column without a default cannot be added to a table holding rows (~" + rows
                    + "): add it nullable, fill it, then set NOT NULL");
        }
    }

    /** The change would drop or relax the primary key, which the shadow path and every upsert rely on. */
    public static final class PrimaryKeyColumn extends OperationRefused {
        PrimaryKeyColumn(SchemaChange c) {
            super(c, "'" + c.column() + "' is part of the primary key of '" + c.table() + "'");
        }
    }

    /** An index of that name exists and indexes something else (or is the primary key of a table that has one). */
    public static final class IndexExists extends OperationRefused {
        IndexExists(SchemaChange c, String detail) {
            super(c, detail);
        }
    }

    /** The index is the table's primary key: dropping it is not an index change. */
    public static final class IndexIsPrimaryKey extends OperationRefused {
        IndexIsPrimaryKey(SchemaChange c) {
            super(c, "index '" + c.index().name() + "' is the primary key of '" + c.table() + "'");
        }
    }
}
