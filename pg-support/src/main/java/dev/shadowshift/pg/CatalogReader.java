package dev.shadowshift.pg;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a schema's tables, columns, keys and indexes from pg_catalog in three queries, whatever the table count. */
public final class CatalogReader {

    /**
     * Tables the migration engine makes next to a live table (shadow, rollback point, retired, lost keys, change log, backfill position): their
     * names end in {@code _ss_<kind>_<8 hex>} (see migration-worker's ShadowNames). They are not the user's tables:
     * a diff must neither propose to drop them nor mistake them for the spec's.
     */
    public static final String WORKING_TABLE_PATTERN = "_ss_(new|old|rb|lost|log|pos)_[0-9a-f]{8}$";

    private CatalogReader() {
    }

    public static LiveSchema read(Connection connection, String schema) throws SQLException {
        if (!schemaExists(connection, schema)) {
            return new LiveSchema(schema, false, Map.of());
        }
        Map<String, Map<String, LiveSchema.Column>> columns = new LinkedHashMap<>();
        Map<String, Long> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("""
                SELECT c.relname, c.reltuples::bigint, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attnum
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND c.relname !~ ?
                ORDER BY c.relname, a.attnum""")) {
            ps.setString(1, schema);
            ps.setString(2, WORKING_TABLE_PATTERN);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    rows.put(table, Math.max(0, rs.getLong(2)));
                    Map<String, LiveSchema.Column> cols = columns.computeIfAbsent(table, t -> new LinkedHashMap<>());
                    String column = rs.getString(3);
                    if (column != null) {
                        cols.put(column, new LiveSchema.Column(column, rs.getString(4), rs.getBoolean(5), rs.getInt(6)));
                    }
                }
            }
        }
        Map<String, List<LiveSchema.Index>> indexes = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("""
                SELECT t.relname, i.relname, am.amname, x.indisunique, x.indisprimary, x.indisvalid,
                       pg_get_indexdef(x.indexrelid),
                       ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord)
                             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                             ORDER BY k.ord)
                FROM pg_index x
                JOIN pg_class t ON t.oid = x.indrelid
                JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_am am ON am.oid = i.relam
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = ? AND t.relname !~ ?
                ORDER BY t.relname, i.relname""")) {
            ps.setString(1, schema);
            ps.setString(2, WORKING_TABLE_PATTERN);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Array cols = rs.getArray(8);
                    indexes.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(new LiveSchema.Index(
                            rs.getString(2), rs.getString(3), Arrays.asList((String[]) cols.getArray()),
                            rs.getBoolean(4), rs.getBoolean(5), rs.getBoolean(6), rs.getString(7)));
                }
            }
        }
        Map<String, LiveSchema.Table> tables = new LinkedHashMap<>();
        columns.forEach((name, cols) -> {
            List<LiveSchema.Index> idx = indexes.getOrDefault(name, List.of());
            List<String> pk = idx.stream().filter(LiveSchema.Index::primary).findFirst()
                    .map(LiveSchema.Index::columns).orElse(List.of());
            tables.put(name, new LiveSchema.Table(name, cols, pk, idx, rows.getOrDefault(name, 0L)));
        });
        return new LiveSchema(schema, true, tables);
    }

    private static boolean schemaExists(Connection connection, String schema) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
