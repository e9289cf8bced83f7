package dev.shadowshift.contracts.events;

import java.util.List;

/** A new version of a subject was registered, with its classified difference from the live target database. */
public record SpecChanged(
        String subject,
        int version,
        Integer previousVersion,
        String contentHash,
        String target,
        String schema,
        String compatibility,
        List<SchemaChange> changes) {
}
