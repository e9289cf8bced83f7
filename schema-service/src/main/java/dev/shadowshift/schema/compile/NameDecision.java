package dev.shadowshift.schema.compile;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A component schema that did not become a table under the name {@link Names#tableName} gives it, and why: the
 * compiler's report of what it skipped and renamed, shown by the CLI and the REST answers.
 *
 * @param schema   the component schema
 * @param decision {@link #SKIPPED} (no table) or {@link #RENAMED} (a table under another name)
 * @param wanted   the table name the schema's own name gives
 * @param table    the table it became; null when skipped
 * @param reason   why, naming the other schema involved
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NameDecision(String schema, String decision, String wanted, String table, String reason) {

    public static final String SKIPPED = "SKIPPED";
    public static final String RENAMED = "RENAMED";

    /** One line for a terminal or a log: {@code skipped Files (files): collection envelope of 'File' ...}. */
    public String line() {
        return decision.equals(SKIPPED)
                ? "skipped '" + schema + "' (would be " + wanted + "): " + reason
                : "renamed '" + schema + "' " + wanted + " -> " + table + ": " + reason;
    }
}
