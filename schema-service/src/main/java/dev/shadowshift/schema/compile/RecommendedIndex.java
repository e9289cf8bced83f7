package dev.shadowshift.schema.compile;

import java.util.List;

/**
 * An index Shadowshift recommends for a compiled table, created only when asked.
 *
 * @param table   the table it belongs to
 * @param name    its name, unique in the schema, at most 63 bytes
 * @param method  {@code btree} or {@code gin}
 * @param columns the indexed columns, in order
 * @param reason  why it is recommended, in a few words
 */
public record RecommendedIndex(String table, String name, String method, List<String> columns, String reason) {
}
