package dev.shadowshift.contracts.events;

import dev.shadowshift.contracts.changes.SchemaChange;

import java.util.List;

/**
 * A new version of a subject was registered, with its difference from the live target database as typed changes
 * ({@code dev.shadowshift.spec.changed.v2}). No field holds SQL: the worker renders every statement itself.
 */
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
