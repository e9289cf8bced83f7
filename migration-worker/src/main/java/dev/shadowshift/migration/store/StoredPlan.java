package dev.shadowshift.migration.store;

import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.migration.plan.PlanState;

import java.time.OffsetDateTime;

/** A plan as the state database holds it, with how far its execution got and why it waits, when it does. */
public record StoredPlan(
        String planId,
        String specEventId,
        PlanState state,
        String backupId,
        MigrationPlanned plan,
        int stepsDone,
        int stepsTotal,
        String error,
        String holdReason,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt,
        OffsetDateTime startedAt,
        OffsetDateTime finishedAt) {
}
