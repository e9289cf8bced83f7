package dev.shadowshift.migration.api;

import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.migration.store.StoredPlan;

import java.time.OffsetDateTime;
import java.util.List;

/** A plan as the REST API shows it: what was planned plus where execution stands. */
public record MigrationView(
        String planId,
        String specEventId,
        String subject,
        int version,
        String target,
        String schema,
        String status,
        String strategy,
        String risk,
        boolean requiresBackup,
        List<String> backupTables,
        String backupId,
        long estimatedRows,
        int stepsDone,
        int stepsTotal,
        String error,
        String holdReason,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt,
        OffsetDateTime startedAt,
        OffsetDateTime finishedAt,
        List<PlanStep> steps,
        List<SchemaChange> pending) {

    /** @param withSteps false for list views, which would otherwise carry every statement of every plan */
    static MigrationView of(StoredPlan s, boolean withSteps) {
        MigrationPlanned p = s.plan();
        return new MigrationView(s.planId(), s.specEventId(), p.subject(), p.version(), p.target(), p.schema(), s.state().name(),
                p.strategy(), p.risk(), p.requiresBackup(), p.backupTables(), s.backupId(), p.estimatedRows(),
                s.stepsDone(), s.stepsTotal(), s.error(), s.holdReason(), s.createdAt(), s.updatedAt(), s.startedAt(), s.finishedAt(),
                withSteps ? p.steps() : null, withSteps ? p.pending() : null);
    }
}
