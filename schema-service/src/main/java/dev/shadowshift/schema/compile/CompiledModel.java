package dev.shadowshift.schema.compile;

import java.util.List;
import java.util.Optional;

/** What a spec compiles to: the tables, sorted by name. Stored as jsonb with each version, so it must stay a plain tree. */
public record CompiledModel(List<CompiledTable> tables) {

    public Optional<CompiledTable> table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public int columnCount() {
        return tables.stream().mapToInt(t -> t.columns().size()).sum();
    }
}
