package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import dev.shadowshift.monitor.snapshot.TargetSnapshot.Session;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Rules over pg_stat_activity: connections, long queries, idle transactions, lock waits. One alert per target for
 * each, about the worst session: a per-pid alert would fire and resolve with every new slow query, and the worst
 * session is what an engineer acts on first. The description counts the others.
 */
final class SessionRules {

    private SessionRules() {
    }

    static List<Finding> connectionSaturation(TargetSnapshot s, RuleSettings r) {
        if (s.maxConnections() <= 0) {
            return List.of();
        }
        double ratio = (double) s.connectionsUsed() / s.maxConnections();
        return r.severityOf(ratio).map(sev -> new Finding(r.rule(), s.target(), sev, Map.of(),
                String.format(Locale.ROOT, "%s: %d of %d connections in use (%s)", s.target(), s.connectionsUsed(),
                        s.maxConnections(), Unit.percent(ratio)),
                String.format(Locale.ROOT, "%d of max_connections %d are in use on the server of %s (%s; %s). By state: %s.",
                        s.connectionsUsed(), s.maxConnections(), s.target(), Unit.percent(ratio), r.levels(),
                        s.connectionsByState().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                                .collect(Collectors.joining(", "))),
                ratio, r.threshold(sev))).stream().toList();
    }

    static List<Finding> longRunningQuery(TargetSnapshot s, RuleSettings r) {
        return worst(s, r, q -> "active".equals(q.state()), Session::queryAgeSeconds, (q, age) ->
                String.format(Locale.ROOT, "%s: a query has been running for %s (pid %d)", s.target(), Unit.duration(age), q.pid()),
                (q, age) -> String.format(Locale.ROOT, "pid %d%s has been running one query for %s (%s): %s",
                        q.pid(), who(q), Unit.duration(age), r.levels(), QueryText.redact(q.query())));
    }

    static List<Finding> idleInTransaction(TargetSnapshot s, RuleSettings r) {
        return worst(s, r, q -> q.state() != null && q.state().startsWith("idle in transaction"), Session::stateAgeSeconds,
                (q, age) -> String.format(Locale.ROOT, "%s: a session has been idle in transaction for %s (pid %d)",
                        s.target(), Unit.duration(age), q.pid()),
                (q, age) -> String.format(Locale.ROOT, "pid %d%s has been %s for %s (%s). It keeps its locks and holds "
                                + "back vacuum. Last statement: %s", q.pid(), who(q), q.state(), Unit.duration(age), r.levels(),
                        QueryText.redact(q.query())));
    }

    static List<Finding> blockedQueries(TargetSnapshot s, RuleSettings r) {
        return worst(s, r, q -> q.lockWaitSeconds() != null, Session::lockWaitSeconds,
                (q, age) -> String.format(Locale.ROOT, "%s: pid %d has waited %s for a lock%s, blocked by pid %s",
                        s.target(), q.pid(), Unit.duration(age), q.lockRelation() == null ? "" : " on " + q.lockRelation(),
                        pids(q.blockingPids())),
                (q, age) -> String.format(Locale.ROOT, "pid %d%s has waited %s for a lock%s (%s), blocked by pid %s%s. "
                                + "Waiting statement: %s", q.pid(), who(q), Unit.duration(age),
                        q.lockRelation() == null ? "" : " on " + q.lockRelation(), r.levels(), pids(q.blockingPids()),
                        blockers(s, q), QueryText.redact(q.query())));
    }

    private interface Text {
        String of(Session q, double value);
    }

    private static List<Finding> worst(TargetSnapshot s, RuleSettings r, java.util.function.Predicate<Session> which,
                                       ToDoubleFunction<Session> measure, Text summary, Text description) {
        List<Session> over = s.sessions().stream().filter(which)
                .filter(q -> r.severityOf(measure.applyAsDouble(q)).isPresent())
                .sorted(Comparator.comparingDouble(measure).reversed()).toList();
        if (over.isEmpty()) {
            return List.of();
        }
        Session q = over.get(0);
        double value = measure.applyAsDouble(q);
        Severity sev = r.severityOf(value).orElseThrow();
        String more = over.size() > 1 ? String.format(Locale.ROOT, " %d sessions are over the threshold.", over.size()) : "";
        return List.of(new Finding(r.rule(), s.target(), sev, Map.of(), summary.of(q, value),
                description.of(q, value) + more, Math.floor(value * 1000) / 1000, r.threshold(sev)));
    }

    private static String who(Session q) {
        StringBuilder b = new StringBuilder();
        if (q.user() != null) {
            b.append(" (user ").append(q.user());
            if (q.application() != null && !q.application().isBlank()) {
                b.append(", application ").append(q.application());
            }
            b.append(')');
        }
        return b.toString();
    }

    private static String pids(List<Integer> pids) {
        return pids == null || pids.isEmpty() ? "unknown"
                : pids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    /** What the blockers are doing, when the poll saw them (they may be idle in transaction: then they are not "active"). */
    private static String blockers(TargetSnapshot s, Session waiting) {
        if (waiting.blockingPids() == null) {
            return "";
        }
        String seen = waiting.blockingPids().stream()
                .map(pid -> s.sessions().stream().filter(o -> o.pid() == pid).findFirst())
                .flatMap(Optional::stream)
                .map(b -> String.format(Locale.ROOT, "pid %d%s is %s for %s: %s", b.pid(), who(b), b.state(),
                        Unit.duration(b.stateAgeSeconds()), QueryText.redact(b.query())))
                .collect(Collectors.joining("; "));
        return seen.isEmpty() ? "" : " (" + seen + ")";
    }
}
