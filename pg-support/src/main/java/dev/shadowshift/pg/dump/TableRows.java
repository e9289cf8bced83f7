package dev.shadowshift.pg.dump;

/** A table's rows as counted in one snapshot (at dump time, or in a verification restore). */
public record TableRows(TableName table, long rows) {
}
