package dev.shadowshift.monitor.dashboard;

import java.time.Instant;

import java.util.List;

/**
 * The latest migration-progress event of one plan, as the dashboard shows it, with the tables the plan touches (from
 * its migration-planned; empty when the monitor did not see it).
 */
public record MigrationStatus(
        String planId,
        String target,
        String status,
        String phase,
        int stepsDone,
        int stepsTotal,
        String message,
        Long rowsCopied,
        Long rowsTotal,
        Double rowsPerSecond,
        Long etaSeconds,
        String eventId,
        Instant eventTime,
        Instant receivedAt,
        List<String> tables) {

    public MigrationStatus withTables(List<String> tables) {
        return new MigrationStatus(planId, target, status, phase, stepsDone, stepsTotal, message, rowsCopied, rowsTotal,
                rowsPerSecond, etaSeconds, eventId, eventTime, receivedAt, tables == null ? List.of() : tables);
    }
}
