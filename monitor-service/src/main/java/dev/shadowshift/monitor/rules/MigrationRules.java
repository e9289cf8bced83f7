package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.snapshot.EventFacts;
import dev.shadowshift.monitor.snapshot.PollHistory;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import dev.shadowshift.monitor.snapshot.TargetSnapshot.Session;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * migration_impact: while a plan runs, how long the writers of its tables wait. Two measures, the worse one counts:
 * a writer's lock wait on one of the plan's tables or behind one of migration-worker's sessions (a cutover's lock,
 * a lock queue behind it), and the mean time per call, since the previous poll, of the statements that write to the
 * plan's tables (pg_stat_statements; the capture triggers a shadow migration adds run inside those statements, so
 * their cost shows there). The worker's own sessions and the replication lag are reported alongside: the throttle
 * already watches lag on its own.
 */
final class MigrationRules {

    private static final String IDENT = "(?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][A-Za-z0-9_$]*)";
    /** The statement's target table; a leading CTE is not looked into (rare for an application's writes). */
    private static final Pattern WRITE = Pattern.compile(
            "^\\s*(?:INSERT\\s+INTO|UPDATE(?:\\s+ONLY)?|DELETE\\s+FROM(?:\\s+ONLY)?|MERGE\\s+INTO)\\s+(" + IDENT
                    + ")(?:\\s*\\.\\s*(" + IDENT + "))?", Pattern.CASE_INSENSITIVE);
    private static final int SHOWN_WORKER_SESSIONS = 3;

    private MigrationRules() {
    }

    /**
     * The table a statement writes to, as {@code schema.table} or just {@code table} when it is not qualified, folded
     * as PostgreSQL folds identifiers (unquoted to lower case); empty for a statement that is not an INSERT, UPDATE,
     * DELETE or MERGE.
     */
    static Optional<String> writtenTable(String sql) {
        if (sql == null) {
            return Optional.empty();
        }
        Matcher m = WRITE.matcher(sql);
        if (!m.find()) {
            return Optional.empty();
        }
        String first = identifier(m.group(1));
        return Optional.of(m.group(2) == null ? first : first + "." + identifier(m.group(2)));
    }

    /** Whether a statement writes to one of the tables (named {@code schema.table}); an unqualified name matches on the table alone. */
    static boolean writesTo(String sql, Set<String> tables) {
        return writtenTable(sql).map(t -> t.contains(".") ? tables.contains(t)
                : tables.stream().anyMatch(q -> q.substring(q.indexOf('.') + 1).equals(t))).orElse(false);
    }

    private static String identifier(String raw) {
        return raw.startsWith("\"") ? raw.substring(1, raw.length() - 1).replace("\"\"", "\"") : raw.toLowerCase(Locale.ROOT);
    }

    /**
     * @param othersTables the tables of the target's other running plans: a wait on one of them behind a worker session
     *                     is that plan's, not this one's (the worker's sessions do not say which plan they serve)
     */
    static MigrationImpact impact(TargetSnapshot s, EventFacts.RunningPlan plan, Set<String> othersTables,
                                  Map<Long, PollHistory.StatementTotals> before, RuleSettings r, String workerApplication) {
        Set<String> tables = Set.copyOf(plan.tables());
        List<Session> workers = s.sessions().stream().filter(q -> workerApplication.equals(q.application())).toList();
        Set<Integer> workerPids = workers.stream().map(Session::pid).collect(Collectors.toSet());
        Session waiting = s.sessions().stream()
                .filter(q -> q.lockWaitSeconds() != null && !workerPids.contains(q.pid()))
                .filter(q -> tables.contains(q.lockRelation()) || !othersTables.contains(q.lockRelation())
                        && q.blockingPids() != null && q.blockingPids().stream().anyMatch(workerPids::contains))
                .max(Comparator.comparingDouble(Session::lockWaitSeconds)).orElse(null);

        Double latency = null;
        TargetSnapshot.Statement worst = null;
        long worstCalls = 0;
        String unknown = null;
        if (!s.statements().available()) {
            unknown = s.statements().unavailableReason();
        } else {
            for (TargetSnapshot.Statement st : s.statements().rows()) {
                if (!writesTo(st.query(), tables)) {
                    continue;
                }
                PollHistory.StatementTotals prev = before.getOrDefault(st.queryId(), new PollHistory.StatementTotals(0, 0));
                long calls = st.calls() - prev.calls();
                if (calls <= 0 || calls < r.extra("min-calls")) {
                    continue;
                }
                double mean = (st.totalMillis() - prev.totalMillis()) / calls / 1000.0;
                if (latency == null || mean > latency) {
                    latency = mean;
                    worst = st;
                    worstCalls = calls;
                }
            }
        }
        Double lag = s.standbyReplayLagSeconds().orElse(s.standbys().stream().map(TargetSnapshot.Standby::replayLagSeconds)
                .filter(Objects::nonNull).max(Double::compare).orElse(null));
        double lockWait = waiting == null ? 0 : waiting.lockWaitSeconds();
        double value = Math.max(lockWait, latency == null ? 0 : latency);
        List<MigrationImpact.WorkerSession> shown = workers.stream()
                .map(q -> new MigrationImpact.WorkerSession(q.pid(), q.state(), Math.floor(q.queryAgeSeconds() * 10) / 10,
                        q.lockWaitSeconds(), QueryText.redact(q.query())))
                .toList();
        return new MigrationImpact(plan.planId(), plan.tables(), round(value),
                waiting == null ? null : round(waiting.lockWaitSeconds()), waiting == null ? null : waiting.pid(),
                waiting == null ? List.of() : waiting.blockingPids(), waiting == null ? null : waiting.lockRelation(),
                latency == null ? null : round(latency), worst == null ? null : worst.queryId(),
                worst == null ? null : worstCalls, worst == null ? null : QueryText.redact(worst.query()), unknown, shown, lag);
    }

    static List<Finding> migrationImpact(String target, List<MigrationImpact> impacts, RuleSettings r) {
        List<Finding> findings = new ArrayList<>();
        for (MigrationImpact i : impacts) {
            r.severityOf(i.worstWaitSeconds()).ifPresent(sev -> findings.add(new Finding(r.rule(), target, sev,
                    Map.of("plan_id", i.planId()), summary(target, i), description(target, i, r), i.worstWaitSeconds(),
                    r.threshold(sev))));
        }
        return findings;
    }

    private static boolean lockIsWorse(MigrationImpact i) {
        return i.lockWaitSeconds() != null && (i.writerLatencySeconds() == null || i.lockWaitSeconds() >= i.writerLatencySeconds());
    }

    private static String summary(String target, MigrationImpact i) {
        String on = i.tables().isEmpty() ? "" : " of " + String.join(", ", i.tables());
        if (lockIsWorse(i)) {
            return String.format(Locale.ROOT, "%s: while migration %s runs, pid %d has waited %s for a lock%s", target,
                    i.planId(), i.waitingPid(), Unit.duration(i.lockWaitSeconds()),
                    i.lockedRelation() == null ? "" : " on " + i.lockedRelation());
        }
        return String.format(Locale.ROOT, "%s: migration %s slows writers%s to %s per statement", target, i.planId(), on,
                Unit.duration(i.writerLatencySeconds()));
    }

    private static String description(String target, MigrationImpact i, RuleSettings r) {
        StringBuilder d = new StringBuilder();
        d.append(String.format(Locale.ROOT, "While plan %s runs on %s%s, its writers wait up to %s (%s).", i.planId(), target,
                i.tables().isEmpty() ? "" : " (tables " + String.join(", ", i.tables()) + ")",
                Unit.duration(i.worstWaitSeconds()), r.levels()));
        if (i.lockWaitSeconds() != null) {
            d.append(String.format(Locale.ROOT, " pid %d has waited %s for a lock%s, blocked by pid %s.", i.waitingPid(),
                    Unit.duration(i.lockWaitSeconds()), i.lockedRelation() == null ? "" : " on " + i.lockedRelation(),
                    i.blockedBy().isEmpty() ? "unknown" : i.blockedBy().stream().map(String::valueOf).collect(Collectors.joining(", "))));
        }
        if (i.writerLatencySeconds() != null) {
            d.append(String.format(Locale.ROOT, " Statement %d ran %d times since the previous poll at %s per call: %s.",
                    i.writerQueryId(), i.writerCalls(), Unit.duration(i.writerLatencySeconds()), i.writerQuery()));
        } else if (i.latencyUnknown() != null) {
            d.append(" Writer latency is not measured: ").append(i.latencyUnknown()).append('.');
        }
        if (i.workerSessions().isEmpty()) {
            d.append(" migration-worker has no busy session on the database.");
        } else {
            d.append(String.format(Locale.ROOT, " migration-worker's sessions (%d): ", i.workerSessions().size()));
            d.append(i.workerSessions().stream().limit(SHOWN_WORKER_SESSIONS).map(w -> String.format(Locale.ROOT,
                    "pid %d %s for %s: %s", w.pid(), w.state(), Unit.duration(w.ageSeconds()), w.query()))
                    .collect(Collectors.joining("; "))).append('.');
        }
        if (i.replicationLagSeconds() != null) {
            d.append(" Replication lag: ").append(Unit.duration(i.replicationLagSeconds())).append('.');
        }
        return d.toString();
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1e6) / 1e6;
    }
}
