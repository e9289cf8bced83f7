package dev.shadowshift.monitor.rules;

import java.util.List;

/**
 * What a running plan costs the other sessions of its target, measured on one poll: the migration_impact rule's
 * value and everything its description and the dashboard show next to the plan's progress.
 *
 * @param tables               the tables the plan touches (from its migration-planned; empty when not seen)
 * @param worstWaitSeconds     the rule's value: the larger of the lock wait and the writer latency
 * @param lockWaitSeconds      the longest lock wait of another session on the plan's tables or behind a worker
 *                             session, null when none waits
 * @param waitingPid           who waits that long
 * @param blockedBy            what it waits for (pg_blocking_pids)
 * @param lockedRelation       the table it waits for, when the lock is on a relation
 * @param writerLatencySeconds the worst mean time per call since the previous poll of a statement writing to the
 *                             plan's tables, null when no such statement ran often enough or it cannot be known
 * @param writerQueryId        that statement's queryid
 * @param writerCalls          its calls since the previous poll
 * @param writerQuery          its normalized text (literals redacted)
 * @param latencyUnknown       why writer latency cannot be measured (pg_stat_statements missing), else null
 * @param workerSessions       migration-worker's non-idle sessions on the target database
 * @param replicationLagSeconds the worst replay lag of a standby (or of this standby), null without replication
 */
public record MigrationImpact(
        String planId,
        List<String> tables,
        double worstWaitSeconds,
        Double lockWaitSeconds,
        Integer waitingPid,
        List<Integer> blockedBy,
        String lockedRelation,
        Double writerLatencySeconds,
        Long writerQueryId,
        Long writerCalls,
        String writerQuery,
        String latencyUnknown,
        List<WorkerSession> workerSessions,
        Double replicationLagSeconds) {

    public MigrationImpact {
        tables = List.copyOf(tables);
        blockedBy = blockedBy == null ? List.of() : List.copyOf(blockedBy);
        workerSessions = List.copyOf(workerSessions);
    }

    /** One of migration-worker's sessions as the poll saw it; the query's literals are redacted. */
    public record WorkerSession(int pid, String state, double ageSeconds, Double lockWaitSeconds, String query) {
    }
}
