package dev.shadowshift.monitor.dashboard;

import dev.shadowshift.monitor.rules.MigrationImpact;

import java.time.Instant;

import java.util.List;

/**
 * The latest migration-progress event of one plan, as the dashboard shows it, with the tables the plan touches (from
 * its migration-planned; empty when the monitor did not see it) and, for the plans the monitor saw recently, what
 * they cost their writers (migration_impact's measure, null once the plan ended) and the series for its charts.
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
        List<String> tables,
        MigrationImpact impact,
        List<DashboardFeed.ProgressSample> progressSamples,
        List<DashboardFeed.ImpactSample> impactSamples) {

    public MigrationStatus withTables(List<String> tables) {
        return new MigrationStatus(planId, target, status, phase, stepsDone, stepsTotal, message, rowsCopied, rowsTotal,
                rowsPerSecond, etaSeconds, eventId, eventTime, receivedAt, tables == null ? List.of() : tables, impact,
                progressSamples, impactSamples);
    }

    /** With what the monitor measured while the plan ran: its latest impact and both series. */
    public MigrationStatus withLive(DashboardFeed.PlanLive live) {
        return new MigrationStatus(planId, target, status, phase, stepsDone, stepsTotal, message, rowsCopied, rowsTotal,
                rowsPerSecond, etaSeconds, eventId, eventTime, receivedAt, tables, live.impact(), live.progress(),
                live.impacts());
    }
}
