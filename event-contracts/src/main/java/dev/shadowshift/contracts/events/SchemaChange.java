package dev.shadowshift.contracts.events;

/**
 * One difference between a compiled spec and the live database, with how risky it is and how it must be applied.
 *
 * @param kind           what changes: CREATE_SCHEMA, CREATE_TABLE, ADD_COLUMN, ALTER_COLUMN_TYPE, SET_NOT_NULL,
 *                       DROP_NOT_NULL, DROP_COLUMN, DROP_TABLE, CREATE_INDEX, DROP_INDEX
 * @param classification ADDITIVE, RELAXING, REWRITE, LOCKING, DATA_DEPENDENT, DESTRUCTIVE, BACKWARD_INCOMPATIBLE,
 *                       IDENTIFIER_TOO_LONG
 * @param lockLevel      the strongest PostgreSQL lock the statement takes, e.g. ACCESS EXCLUSIVE
 * @param path           IN_PLACE, SHADOW_TABLE or NEEDS_APPROVAL
 * @param sql            the statement for IN_PLACE changes; a description of the target state otherwise
 */
public record SchemaChange(
        String kind,
        String table,
        String column,
        String classification,
        String lockLevel,
        String path,
        String sql,
        String detail) {
}
