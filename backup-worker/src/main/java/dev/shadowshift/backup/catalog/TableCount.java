package dev.shadowshift.backup.catalog;

import dev.shadowshift.pg.dump.TableName;

/** A table of a backup: its rows counted at dump time, and in the last verification restore (null before one). */
public record TableCount(String schema, String table, long rows, Long restoredRows) {

    public TableName name() {
        return new TableName(schema, table);
    }
}
