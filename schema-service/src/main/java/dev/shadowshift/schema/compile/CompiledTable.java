package dev.shadowshift.schema.compile;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Optional;

/**
 * One table compiled from a component schema.
 *
 * @param name         the table name as created, at most 63 bytes
 * @param source       the component schema it comes from
 * @param originalName the name before shortening, when it did not fit in 63 bytes; null otherwise
 * @param columns      {@code id} first, then the spec's property order
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompiledTable(String name, String source, String originalName, List<CompiledColumn> columns) {

    public Optional<CompiledColumn> column(String columnName) {
        return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
    }

    @JsonIgnore
    public boolean shortened() {
        return originalName != null;
    }
}
