package dev.shadowshift.schema.compile;

import java.util.List;

/**
 * An index Shadowshift recommends for a compiled table, created only when asked. Plain data: the differ's
 * {@code Ddl.createIndex} renders the statement from these fields, and any other renderer can do the same.
 *
 * @param table   the table it belongs to
 * @param name    its name, unique in the schema, at most 63 bytes
 * @param method  {@code btree} or {@code gin}
 * @param columns the indexed columns, in order: a composite's equality column first, its range or sort column second
 * @param unique  a UNIQUE index (only where the columns include the table's key, so it cannot fail on live rows)
 * @param reason  why it is recommended, in a few words
 */
public record RecommendedIndex(String table, String name, String method, List<String> columns, boolean unique, String reason) {

    public RecommendedIndex {
        columns = List.copyOf(columns);
    }
}
