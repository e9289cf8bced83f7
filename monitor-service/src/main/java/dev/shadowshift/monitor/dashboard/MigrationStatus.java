package dev.shadowshift.monitor.dashboard;

import java.time.Instant;

/** The latest migration-progress event of one plan, as the dashboard shows it. */
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
        Instant receivedAt) {
}
