package dev.shadowshift.pg.dump;

/** A table a backup covers. */
public record TableName(String schema, String table) {

    /**
     * Reads a plan's "schema.table". The plan's schema is known, so a table name containing dots stays intact;
     * without it the first dot separates schema from table.
     */
    public static TableName parse(String qualified, String planSchema) {
        if (planSchema != null && qualified.startsWith(planSchema + ".") && qualified.length() > planSchema.length() + 1) {
            return new TableName(planSchema, qualified.substring(planSchema.length() + 1));
        }
        int dot = qualified.indexOf('.');
        if (dot <= 0 || dot == qualified.length() - 1) {
            throw new IllegalArgumentException("'" + qualified + "' is not a schema-qualified table name (schema.table)");
        }
        return new TableName(qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    public String qualified() {
        return schema + "." + table;
    }
}
