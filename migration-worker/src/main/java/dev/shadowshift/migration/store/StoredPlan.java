package dev.shadowshift.migration.store;

import dev.shadowshift.contracts.events.MigrationPlanned;

import java.time.OffsetDateTime;

/** A plan as the state database holds it, with how far its execution got. */
public record StoredPlan(
        String planId,
        String specEventId,
        String status,
        String backupId,
        MigrationPlanned plan,
        int stepsDone,
        int stepsTotal,
        String error,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt,
        OffsetDateTime startedAt,
        OffsetDateTime finishedAt) {
}
