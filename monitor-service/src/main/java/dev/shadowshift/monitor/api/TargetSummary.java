package dev.shadowshift.monitor.api;

import dev.shadowshift.monitor.rules.QueryText;
import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The last poll of one target, for the dashboard. Query texts are redacted (literals replaced by ?), as in alerts.
 *
 * @param reachable       false when the last poll failed; {@code error} says why and the numbers are absent
 * @param seesAllSessions false when the monitor's role lacks pg_monitor and so cannot see other roles' queries
 */
public record TargetSummary(
        String target,
        boolean reachable,
        Boolean seesAllSessions,
        Instant polledAt,
        String error,
        Integer connectionsUsed,
        Integer maxConnections,
        Map<String, Integer> connectionsByState,
        Double longestActiveQuerySeconds,
        List<Query> activeQueries,
        List<Table> tablesByDeadTuples) {

    static final int SHOWN = 10;

    public record Query(int pid, String user, String state, double ageSeconds, String query) {
    }

    public record Table(String schema, String table, long liveTuples, long deadTuples, double deadRatio, Instant lastAutovacuum) {
    }

    static TargetSummary of(String target, PollResult result) {
        if (result == null) {
            return new TargetSummary(target, false, null, null, "not polled yet", null, null, Map.of(), null, List.of(), List.of());
        }
        if (result instanceof PollResult.Unreachable u) {
            return new TargetSummary(target, false, null, u.at(), u.reason(), null, null, Map.of(), null, List.of(), List.of());
        }
        TargetSnapshot s = ((PollResult.Reached) result).snapshot();
        List<Query> queries = s.activeQueries().stream()
                .sorted(Comparator.comparingDouble(TargetSnapshot.ActiveQuery::ageSeconds).reversed())
                .limit(SHOWN)
                .map(q -> new Query(q.pid(), q.user(), q.state(), Math.floor(q.ageSeconds()), QueryText.redact(q.query())))
                .toList();
        List<Table> tables = s.tables().stream().limit(SHOWN)
                .map(t -> new Table(t.schema(), t.table(), t.liveTuples(), t.deadTuples(), t.deadRatio(), t.lastAutovacuum()))
                .toList();
        double longest = s.activeQueries().stream().filter(q -> "active".equals(q.state()))
                .mapToDouble(TargetSnapshot.ActiveQuery::ageSeconds).max().orElse(0);
        return new TargetSummary(target, true, s.seesAllSessions(), s.takenAt(), null, s.connectionsUsed(), s.maxConnections(),
                s.connectionsByState(), Math.floor(longest), queries, tables);
    }
}
