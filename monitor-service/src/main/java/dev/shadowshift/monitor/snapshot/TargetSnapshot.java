package dev.shadowshift.monitor.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one poll read from a target: rows of the pg_stat views, already narrowed down by the queries to what a rule
 * could care about (see {@link SnapshotReader} for the limits).
 *
 * @param database           the target's database name (the {@code database} label of its alerts)
 * @param connectionsUsed    client backends on the whole server (max_connections is server-wide too)
 * @param connectionsByState client backends per pg_stat_activity.state ("active", "idle", "idle in transaction", ...)
 * @param sessions           non-idle client backends on the target database, the monitor's own excluded, oldest first
 * @param tables             the user tables with the most dead tuples or changes since analyze, most first
 * @param slow               the slow-moving, costlier reads; present only on the polls that made them
 * @param statements         pg_stat_statements of this database, or why they cannot be read
 * @param seesAllSessions    false when the monitor's role lacks pg_read_all_stats (pg_monitor): PostgreSQL then hides
 *                           the state and query of other roles' sessions
 */
public record TargetSnapshot(
        String target,
        String database,
        Instant takenAt,
        boolean inRecovery,
        boolean seesAllSessions,
        int maxConnections,
        int connectionsUsed,
        Map<String, Integer> connectionsByState,
        DatabaseStats stats,
        List<Session> sessions,
        List<TableStats> tables,
        List<IndexRef> invalidIndexes,
        Optional<OldestTable> oldestTable,
        Optional<Double> standbyReplayLagSeconds,
        List<Standby> standbys,
        List<Slot> inactiveSlots,
        Statements statements,
        Optional<SlowReads> slow) {

    /**
     * Cumulative counters of pg_stat_database for this database; rules compare two polls.
     *
     * @param statsSince when these counters (and pg_stat_user_indexes') started counting: their reset, or the
     *                   server's start when never reset
     */
    public record DatabaseStats(long xactCommit, long xactRollback, long blksRead, long blksHit, long tempFiles,
                                long tempBytes, long deadlocks, long frozenXidAge, Instant statsSince) {
    }

    /**
     * @param query          the statement text exactly as PostgreSQL shows it; redact before it leaves the service
     * @param lockWaitSeconds how long it has been waiting for a lock (pg_locks.waitstart), when it is
     * @param blockingPids   who holds what it waits for (pg_blocking_pids)
     * @param lockRelation   the table it waits for, when the lock is on a relation
     */
    public record Session(int pid, String user, String application, String state, double queryAgeSeconds,
                          double stateAgeSeconds, String waitEventType, String query, Double lockWaitSeconds,
                          List<Integer> blockingPids, String lockRelation) {
    }

    /** Last (auto)vacuum and (auto)analyze are null when never. */
    public record TableStats(String schema, String table, long liveTuples, long deadTuples, long modifiedSinceAnalyze,
                             Instant lastVacuum, Instant lastAnalyze) {

        public double deadRatio() {
            long all = liveTuples + deadTuples;
            return all == 0 ? 0.0 : (double) deadTuples / all;
        }

        public String relation() {
            return schema + "." + table;
        }
    }

    public record IndexRef(String schema, String index, String table) {
        public String relation() {
            return schema + "." + index;
        }
    }

    /** The table with the oldest relfrozenxid, read only when the database's age calls for it. */
    public record OldestTable(String relation, long age) {
    }

    /** A standby as its primary sees it in pg_stat_replication. */
    public record Standby(String name, String clientAddr, String state, Double replayLagSeconds, Long lagBytes) {
    }

    /** @param retainedBytes WAL the slot keeps from being recycled */
    public record Slot(String name, String type, String database, long retainedBytes, String walStatus) {
    }

    /** pg_stat_statements of this database, or why not. */
    public record Statements(boolean available, String unavailableReason, List<Statement> rows) {
        public static Statements missing(String reason) {
            return new Statements(false, reason, List.of());
        }
    }

    /** @param query the normalized text ($1 placeholders), only for statements a rule flagged; else null */
    public record Statement(long queryId, long calls, double totalMillis, String query) {
    }

    /** What the slow polls read. */
    public record SlowReads(OptionalLong databaseSizeBytes, List<SequenceUsage> sequences, List<UnusedIndex> unusedIndexes) {
    }

    /** @param limit the largest value the sequence may reach: its max_value, or less when the column it feeds is narrower */
    public record SequenceUsage(String schema, String sequence, long lastValue, long start, long limit, String column) {
        public double fractionUsed() {
            double range = (double) limit - start;
            return range <= 0 ? 1.0 : Math.max(0, ((double) lastValue - start) / range);
        }

        public String relation() {
            return schema + "." + sequence;
        }
    }

    public record UnusedIndex(String schema, String index, String table, long sizeBytes) {
        public String relation() {
            return schema + "." + index;
        }
    }
}
