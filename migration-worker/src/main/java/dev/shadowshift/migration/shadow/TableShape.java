package dev.shadowshift.migration.shadow;

import java.util.List;
import java.util.Optional;

/**
 * What the engine needs to know about a table's columns, read from pg_attribute.
 *
 * @param columns live columns in attnum order (dropped columns excluded)
 */
public record TableShape(String schema, String table, List<Column> columns, List<String> primaryKey, String primaryKeyName) {

    /**
     * @param type      format_type(atttypid, atttypmod)
     * @param generated a stored generated column: computed, never inserted
     * @param identity  'a' (ALWAYS), 'd' (BY DEFAULT) or "" for none
     */
    public record Column(String name, String type, boolean notNull, boolean generated, String identity) {
    }

    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public List<Column> insertable() {
        return columns.stream().filter(c -> !c.generated()).toList();
    }

    public String type(String column) {
        return column(column).map(Column::type).orElseThrow(() -> new IllegalStateException("no column " + column));
    }
}
