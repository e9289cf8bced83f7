package dev.shadowshift.schema.compile;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One column of a compiled table.
 *
 * @param name         the column name as created, at most 63 bytes
 * @param type         the PostgreSQL type as {@code format_type} prints it: text, bigint, numeric, boolean, jsonb, text[]
 * @param nullable     false only for the primary key
 * @param primaryKey   true for {@code id}
 * @param property     the spec property it comes from
 * @param originalName the name before shortening, when it did not fit in 63 bytes; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompiledColumn(String name, String type, boolean nullable, boolean primaryKey, String property,
                             String originalName) {

    public boolean shortened() {
        return originalName != null;
    }
}
