package dev.shadowshift.monitor.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one poll read from a target's pg_stat_activity, pg_settings and pg_stat_user_tables.
 *
 * @param connectionsUsed    client backends on the whole server (max_connections is server-wide too)
 * @param connectionsByState client backends per pg_stat_activity.state ("active", "idle", "idle in transaction", ...)
 * @param activeQueries      non-idle backends on the target database, the monitor's own excluded, oldest first
 * @param tables             user tables, most dead tuples first (capped, see {@link SnapshotReader})
 * @param seesAllSessions    false when the monitor's role lacks pg_read_all_stats (pg_monitor): PostgreSQL then hides
 *                           the state and query of other roles' sessions, so their long queries cannot be seen
 */
public record TargetSnapshot(
        String target,
        Instant takenAt,
        int maxConnections,
        int connectionsUsed,
        Map<String, Integer> connectionsByState,
        List<ActiveQuery> activeQueries,
        List<TableStats> tables,
        boolean seesAllSessions) {

    /** @param query the statement text exactly as PostgreSQL shows it; redact before it leaves the service */
    public record ActiveQuery(int pid, String user, String application, String state, double ageSeconds, String query) {
    }

    public record TableStats(String schema, String table, long liveTuples, long deadTuples, Instant lastAutovacuum) {

        public double deadRatio() {
            long all = liveTuples + deadTuples;
            return all == 0 ? 0.0 : (double) deadTuples / all;
        }
    }
}
