package dev.shadowshift.schema.compile;

import java.util.List;
import java.util.Optional;

/**
 * What a spec compiles to: the tables, sorted by name, and the component schemas that were skipped or renamed on
 * the way (sorted by schema). Stored as jsonb with each version, so it must stay a plain tree; versions stored before
 * the naming report existed read back with an empty one.
 */
public record CompiledModel(List<CompiledTable> tables, List<NameDecision> naming) {

    public CompiledModel {
        naming = naming == null ? List.of() : List.copyOf(naming);
    }

    public CompiledModel(List<CompiledTable> tables) {
        this(tables, List.of());
    }

    public Optional<CompiledTable> table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public int columnCount() {
        return tables.stream().mapToInt(t -> t.columns().size()).sum();
    }
}
