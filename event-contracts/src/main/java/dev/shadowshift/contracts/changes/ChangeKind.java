package dev.shadowshift.contracts.changes;

/** What one change does. Each kind has exactly one operation class in the migration engine. */
public enum ChangeKind {
    CREATE_SCHEMA, CREATE_TABLE, ADD_COLUMN, ALTER_COLUMN_TYPE, SET_NOT_NULL, DROP_NOT_NULL, CREATE_INDEX, DROP_INDEX,
    DROP_COLUMN, DROP_TABLE
}
