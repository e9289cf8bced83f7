package dev.shadowshift.contracts.events;

import dev.shadowshift.contracts.changes.SchemaChange;

import java.util.List;

/**
 * A plan for one spec change.
 *
 * @param strategy       IN_PLACE, SHADOW_TABLE or MIXED
 * @param status         AWAITING_BACKUP, READY, AWAITING_APPROVAL or NOTHING_TO_DO
 * @param requiresBackup true when the plan alters tables that already hold data; the backup covers {@code backupTables}
 * @param risk           LOW, MEDIUM or HIGH
 * @param pending        changes the plan does not apply, each with the worker's reason in {@code reason}
 */
public record MigrationPlanned(
        String planId,
        String subject,
        int version,
        String target,
        String schema,
        String strategy,
        String status,
        boolean requiresBackup,
        List<String> backupTables,
        String risk,
        long estimatedRows,
        List<PlanStep> steps,
        List<SchemaChange> pending) {
}
