package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pure alerting logic: one poll result in, the conditions that hold right now out. No I/O, no clock, no state;
 * whether a condition is new, ongoing or gone is {@link dev.shadowshift.monitor.alerting.AlertStateMachine}'s job.
 */
public final class AlertRules {

    public static final String CONNECTION_SATURATION = "connection_saturation";
    public static final String LONG_RUNNING_QUERY = "long_running_query";
    public static final String DEAD_TUPLE_RATIO = "dead_tuple_ratio";
    public static final String TARGET_UNREACHABLE = "target_unreachable";

    public static final Set<String> ALL = Set.of(CONNECTION_SATURATION, LONG_RUNNING_QUERY, DEAD_TUPLE_RATIO, TARGET_UNREACHABLE);

    private final RuleThresholds thresholds;

    public AlertRules(RuleThresholds thresholds) {
        this.thresholds = thresholds;
    }

    /**
     * The rules a poll result can speak about. When a target cannot be reached we know nothing about its connections,
     * queries or tables, so only target_unreachable is decided; the alerts of the other rules keep their state
     * instead of being falsely resolved.
     */
    public static Set<String> decidedBy(PollResult result) {
        return result instanceof PollResult.Reached ? ALL : Set.of(TARGET_UNREACHABLE);
    }

    public List<AlertCondition> evaluate(PollResult result) {
        if (result instanceof PollResult.Unreachable unreachable) {
            return List.of(targetUnreachable(unreachable));
        }
        TargetSnapshot snapshot = ((PollResult.Reached) result).snapshot();
        List<AlertCondition> conditions = new ArrayList<>();
        connectionSaturation(snapshot).ifPresent(conditions::add);
        longRunningQuery(snapshot).ifPresent(conditions::add);
        conditions.addAll(deadTupleRatio(snapshot));
        return conditions;
    }

    AlertCondition targetUnreachable(PollResult.Unreachable unreachable) {
        return new AlertCondition(TARGET_UNREACHABLE, unreachable.target(), Severity.CRITICAL, Map.of(),
                Map.of("error", QueryText.truncate(unreachable.reason(), QueryText.MAX_CHARS)),
                "Target " + unreachable.target() + " cannot be reached: " + QueryText.truncate(unreachable.reason(), QueryText.MAX_CHARS),
                1, 1);
    }

    Optional<AlertCondition> connectionSaturation(TargetSnapshot s) {
        if (s.maxConnections() <= 0) {
            return Optional.empty();
        }
        double ratio = (double) s.connectionsUsed() / s.maxConnections();
        Severity severity;
        double threshold;
        if (ratio >= thresholds.connectionCriticalRatio()) {
            severity = Severity.CRITICAL;
            threshold = thresholds.connectionCriticalRatio();
        } else if (ratio >= thresholds.connectionWarnRatio()) {
            severity = Severity.WARNING;
            threshold = thresholds.connectionWarnRatio();
        } else {
            return Optional.empty();
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("connections_used", Integer.toString(s.connectionsUsed()));
        annotations.put("max_connections", Integer.toString(s.maxConnections()));
        s.connectionsByState().forEach((state, count) -> annotations.put("state_" + state.replace(' ', '_'), count.toString()));
        return Optional.of(new AlertCondition(CONNECTION_SATURATION, s.target(), severity, Map.of(), annotations,
                String.format(Locale.ROOT, "%s: %d of %d connections in use (%.0f%%, threshold %.0f%%)",
                        s.target(), s.connectionsUsed(), s.maxConnections(), ratio * 100, threshold * 100),
                ratio, threshold));
    }

    /**
     * One alert per target, not per query: the longest active query is what an engineer acts on, and a per-pid
     * alert would fire and resolve with every new slow query.
     */
    Optional<AlertCondition> longRunningQuery(TargetSnapshot s) {
        double warnSeconds = thresholds.longQueryWarning().toMillis() / 1000.0;
        double criticalSeconds = thresholds.longQueryCritical().toMillis() / 1000.0;
        List<TargetSnapshot.ActiveQuery> slow = s.activeQueries().stream()
                .filter(q -> "active".equals(q.state()))
                .filter(q -> q.ageSeconds() >= warnSeconds)
                .sorted(Comparator.comparingDouble(TargetSnapshot.ActiveQuery::ageSeconds).reversed())
                .toList();
        if (slow.isEmpty()) {
            return Optional.empty();
        }
        TargetSnapshot.ActiveQuery longest = slow.get(0);
        boolean critical = longest.ageSeconds() >= criticalSeconds;
        double threshold = critical ? criticalSeconds : warnSeconds;
        double age = Math.floor(longest.ageSeconds());
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("pid", Integer.toString(longest.pid()));
        annotations.put("query", QueryText.redact(longest.query()));
        if (longest.user() != null) {
            annotations.put("user", longest.user());
        }
        if (longest.application() != null && !longest.application().isBlank()) {
            annotations.put("application", longest.application());
        }
        annotations.put("slow_queries", Integer.toString(slow.size()));
        return Optional.of(new AlertCondition(LONG_RUNNING_QUERY, s.target(), critical ? Severity.CRITICAL : Severity.WARNING,
                Map.of(), annotations,
                String.format(Locale.ROOT, "%s: query on pid %d has been running for %.0f s (threshold %.0f s)%s",
                        s.target(), longest.pid(), age, threshold,
                        slow.size() > 1 ? "; " + slow.size() + " queries over the threshold" : ""),
                age, threshold));
    }

    List<AlertCondition> deadTupleRatio(TargetSnapshot s) {
        List<AlertCondition> conditions = new ArrayList<>();
        for (TargetSnapshot.TableStats t : s.tables()) {
            double ratio = t.deadRatio();
            if (t.deadTuples() < thresholds.minDeadTuples() || ratio < thresholds.deadTupleRatio()) {
                continue;
            }
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put("dead_tuples", Long.toString(t.deadTuples()));
            annotations.put("live_tuples", Long.toString(t.liveTuples()));
            annotations.put("last_autovacuum", t.lastAutovacuum() == null ? "never" : t.lastAutovacuum().toString());
            conditions.add(new AlertCondition(DEAD_TUPLE_RATIO, s.target(), Severity.WARNING,
                    Map.of("schema", t.schema(), "table", t.table()), annotations,
                    String.format(Locale.ROOT, "%s: %s.%s is %.0f%% dead tuples (%d dead, %d live; threshold %.0f%%), last autovacuum %s",
                            s.target(), t.schema(), t.table(), ratio * 100, t.deadTuples(), t.liveTuples(),
                            thresholds.deadTupleRatio() * 100, t.lastAutovacuum() == null ? "never" : t.lastAutovacuum()),
                    ratio, thresholds.deadTupleRatio()));
        }
        return conditions;
    }
}
