package dev.shadowshift.schema.registry;

import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.schema.compile.CompiledModel;

import java.time.OffsetDateTime;
import java.util.List;

/** One registered version of a subject, as the state database holds it (the raw spec is read separately). */
public record StoredVersion(
        String subject,
        int version,
        Integer previousVersion,
        String contentHash,
        String format,
        String target,
        String schema,
        List<String> objects,
        String compatibility,
        String eventId,
        String sourceEventId,
        OffsetDateTime createdAt,
        OffsetDateTime publishedAt,
        CompiledModel model,
        List<SchemaChange> changes) {

    public boolean published() {
        return publishedAt != null;
    }
}
