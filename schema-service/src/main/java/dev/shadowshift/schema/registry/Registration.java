package dev.shadowshift.schema.registry;

import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.schema.compile.CompiledModel;

import java.util.List;

/**
 * What became of a submission.
 *
 * @param created  true when a new version was stored, false when the submission repeated the latest one
 * @param warnings swagger-parser's remarks about the document; empty for a repeat
 */
public record Registration(boolean created, StoredVersion version, boolean published, List<String> warnings) {

    public CompiledModel model() {
        return version.model();
    }

    public List<SchemaChange> changes() {
        return version.changes();
    }
}
