package dev.shadowshift.monitor.api;

import dev.shadowshift.monitor.dashboard.DashboardFeed;
import dev.shadowshift.monitor.rules.QueryText;
import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import dev.shadowshift.monitor.store.RuleEvaluation;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The last poll of one target, for the dashboard. Query texts are redacted (literals replaced by ?), as in alerts.
 *
 * @param reachable       false when the last poll failed; {@code error} says why and the numbers are absent
 * @param seesAllSessions false when the monitor's role lacks pg_monitor and so cannot see other roles' queries
 * @param rules           each rule's outcome on the last poll: decided, undecided (and why) or disabled
 * @param samples         the recent series for charts
 */
public record TargetSummary(
        String target,
        String database,
        boolean reachable,
        Boolean seesAllSessions,
        Instant polledAt,
        Long pollMillis,
        String error,
        Integer connectionsUsed,
        Integer maxConnections,
        Map<String, Integer> connectionsByState,
        Double longestActiveQuerySeconds,
        List<Query> activeQueries,
        List<Table> tablesByDeadTuples,
        Map<String, RuleEvaluation.Outcome> rules,
        List<DashboardFeed.Sample> samples) {

    static final int SHOWN = 10;

    public record Query(int pid, String user, String state, double ageSeconds, Double lockWaitSeconds,
                        List<Integer> blockedBy, String query) {
    }

    public record Table(String schema, String table, long liveTuples, long deadTuples, double deadRatio, Instant lastVacuum) {
    }

    static TargetSummary of(String target, String database, PollResult result, RuleEvaluation evaluation,
                            List<DashboardFeed.Sample> samples) {
        Map<String, RuleEvaluation.Outcome> rules = evaluation == null ? Map.of() : evaluation.outcomes;
        if (result == null) {
            return new TargetSummary(target, database, false, null, null, null, "not polled yet", null, null, Map.of(),
                    null, List.of(), List.of(), rules, samples);
        }
        if (result instanceof PollResult.Unreachable u) {
            return new TargetSummary(target, database, false, null, u.at(), u.took().toMillis(), u.reason(), null, null,
                    Map.of(), null, List.of(), List.of(), rules, samples);
        }
        TargetSnapshot s = ((PollResult.Reached) result).snapshot();
        List<Query> queries = s.sessions().stream()
                .sorted(Comparator.comparingDouble(TargetSnapshot.Session::queryAgeSeconds).reversed())
                .limit(SHOWN)
                .map(q -> new Query(q.pid(), q.user(), q.state(), Math.floor(q.queryAgeSeconds()), q.lockWaitSeconds(),
                        q.blockingPids(), QueryText.redact(q.query())))
                .toList();
        List<Table> tables = s.tables().stream()
                .sorted(Comparator.comparingLong(TargetSnapshot.TableStats::deadTuples).reversed()).limit(SHOWN)
                .map(t -> new Table(t.schema(), t.table(), t.liveTuples(), t.deadTuples(), t.deadRatio(), t.lastVacuum()))
                .toList();
        double longest = s.sessions().stream().filter(q -> "active".equals(q.state()))
                .mapToDouble(TargetSnapshot.Session::queryAgeSeconds).max().orElse(0);
        return new TargetSummary(target, database, true, s.seesAllSessions(), s.takenAt(), result.took().toMillis(), null,
                s.connectionsUsed(), s.maxConnections(), s.connectionsByState(), Math.floor(longest), queries, tables,
                rules, samples);
    }
}
