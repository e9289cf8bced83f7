package dev.shadowshift.pg;

import java.util.List;
import java.util.Map;

/** What a PostgreSQL schema holds right now, as read from pg_catalog. */
public record LiveSchema(String name, boolean exists, Map<String, Table> tables) {

    public record Table(String name, Map<String, Column> columns, List<String> primaryKey, List<Index> indexes,
                        long estimatedRows) {
    }

    /** @param type as {@code format_type} prints it, e.g. {@code text}, {@code bigint}, {@code text[]} */
    public record Column(String name, String type, boolean notNull, int position) {
    }

    public record Index(String name, String method, List<String> columns, boolean unique, boolean primary,
                        boolean valid, String definition) {
    }
}
