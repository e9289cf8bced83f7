package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertRulesTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private final AlertRules rules = new AlertRules(new RuleThresholds(0.8, 0.95, Duration.ofMinutes(5),
            Duration.ofMinutes(30), 0.2, 10_000));

    private static TargetSnapshot snapshot(int used, int max, List<TargetSnapshot.ActiveQuery> queries,
                                           List<TargetSnapshot.TableStats> tables) {
        return new TargetSnapshot("main", NOW, max, used, Map.of("active", used), queries, tables, true);
    }

    private List<AlertCondition> evaluate(TargetSnapshot s) {
        return rules.evaluate(new PollResult.Reached(s));
    }

    private static List<AlertCondition> byRule(List<AlertCondition> conditions, String rule) {
        return conditions.stream().filter(c -> c.rule().equals(rule)).toList();
    }

    @Test
    void healthyTargetHasNoConditions() {
        assertTrue(evaluate(snapshot(10, 100, List.of(), List.of())).isEmpty());
    }

    @Test
    void connectionSaturationWarnsAtTheWarnRatioAndIsCriticalAtTheCriticalRatio() {
        assertTrue(byRule(evaluate(snapshot(79, 100, List.of(), List.of())), AlertRules.CONNECTION_SATURATION).isEmpty());

        AlertCondition warning = byRule(evaluate(snapshot(80, 100, List.of(), List.of())), AlertRules.CONNECTION_SATURATION).get(0);
        assertEquals(Severity.WARNING, warning.severity());
        assertEquals(0.8, warning.value(), 1e-9);
        assertEquals(0.8, warning.threshold(), 1e-9);
        assertEquals("80", warning.labels().get("connections_used"));

        AlertCondition critical = byRule(evaluate(snapshot(95, 100, List.of(), List.of())), AlertRules.CONNECTION_SATURATION).get(0);
        assertEquals(Severity.CRITICAL, critical.severity());
        assertEquals(0.95, critical.threshold(), 1e-9);
        assertEquals(warning.fingerprint(), critical.fingerprint(), "escalation is the same alert");
    }

    @Test
    void longRunningQueryReportsTheLongestActiveQueryOnceWithRedactedText() {
        List<TargetSnapshot.ActiveQuery> queries = List.of(
                new TargetSnapshot.ActiveQuery(11, "app", "psql", "active", 400, "SELECT * FROM users WHERE email = 'a@b.c'"),
                new TargetSnapshot.ActiveQuery(12, "app", "psql", "active", 900.7, "UPDATE accounts SET balance = 100 WHERE id = 42"),
                new TargetSnapshot.ActiveQuery(13, "app", "psql", "idle in transaction", 5000, "SELECT 1"),
                new TargetSnapshot.ActiveQuery(14, "app", "psql", "active", 10, "SELECT 2"));
        List<AlertCondition> found = byRule(evaluate(snapshot(4, 100, queries, List.of())), AlertRules.LONG_RUNNING_QUERY);

        assertEquals(1, found.size(), "one alert per target");
        AlertCondition c = found.get(0);
        assertEquals(Severity.WARNING, c.severity());
        assertEquals(900, c.value(), 1e-9);
        assertEquals(300, c.threshold(), 1e-9);
        assertEquals("12", c.labels().get("pid"));
        assertEquals("UPDATE accounts SET balance = ? WHERE id = ?", c.labels().get("query"));
        assertEquals("2", c.labels().get("slow_queries"));
        assertTrue(c.identity().isEmpty(), "pid and query must not be part of the fingerprint");
    }

    @Test
    void longRunningQueryFingerprintDoesNotDependOnWhichQueryIsSlow() {
        AlertCondition first = byRule(evaluate(snapshot(1, 100, List.of(
                new TargetSnapshot.ActiveQuery(11, "a", "x", "active", 301, "SELECT pg_sleep(60)")), List.of())),
                AlertRules.LONG_RUNNING_QUERY).get(0);
        AlertCondition second = byRule(evaluate(snapshot(1, 100, List.of(
                new TargetSnapshot.ActiveQuery(99, "b", "y", "active", 5000, "VACUUM FULL t")), List.of())),
                AlertRules.LONG_RUNNING_QUERY).get(0);
        assertEquals(first.fingerprint(), second.fingerprint());
        assertEquals(Severity.CRITICAL, second.severity());
        assertEquals(1800, second.threshold(), 1e-9);
    }

    @Test
    void idleInTransactionAndShortQueriesDoNotFireLongRunningQuery() {
        List<TargetSnapshot.ActiveQuery> queries = List.of(
                new TargetSnapshot.ActiveQuery(13, "app", "psql", "idle in transaction", 5000, "SELECT 1"),
                new TargetSnapshot.ActiveQuery(14, "app", "psql", "active", 299.9, "SELECT 2"));
        assertTrue(byRule(evaluate(snapshot(2, 100, queries, List.of())), AlertRules.LONG_RUNNING_QUERY).isEmpty());
    }

    @Test
    void deadTupleRatioNeedsBothTheRatioAndTheMinimumCount() {
        List<TargetSnapshot.TableStats> tables = List.of(
                new TargetSnapshot.TableStats("public", "orders", 40_000, 10_000, null),      // exactly 20%, 10k dead
                new TargetSnapshot.TableStats("public", "tiny", 10, 9_000, null),            // 99% but few dead
                new TargetSnapshot.TableStats("public", "big", 10_000_000, 100_000, null),   // many dead, 1%
                new TargetSnapshot.TableStats("billing", "orders", 1_000, 50_000, NOW));
        List<AlertCondition> found = byRule(evaluate(snapshot(2, 100, List.of(), tables)), AlertRules.DEAD_TUPLE_RATIO);

        assertEquals(2, found.size());
        assertEquals(Map.of("schema", "public", "table", "orders"), found.get(0).identity());
        assertEquals(0.2, found.get(0).value(), 1e-9);
        assertEquals("never", found.get(0).labels().get("last_autovacuum"));
        assertEquals(Map.of("schema", "billing", "table", "orders"), found.get(1).identity());
        assertFalse(found.get(0).fingerprint().equals(found.get(1).fingerprint()), "same table name in two schemas");
    }

    @Test
    void unreachableTargetIsCriticalAndDecidesOnlyItsOwnRule() {
        PollResult.Unreachable down = new PollResult.Unreachable("main", NOW, "Connection refused (SQLSTATE 08001)");
        List<AlertCondition> found = rules.evaluate(down);
        assertEquals(1, found.size());
        assertEquals(AlertRules.TARGET_UNREACHABLE, found.get(0).rule());
        assertEquals(Severity.CRITICAL, found.get(0).severity());
        assertEquals(java.util.Set.of(AlertRules.TARGET_UNREACHABLE), AlertRules.decidedBy(down));
        assertEquals(AlertRules.ALL, AlertRules.decidedBy(new PollResult.Reached(snapshot(1, 100, List.of(), List.of()))));
    }

    @Test
    void fingerprintIsStableHexAndIgnoresLabelOrderAndAnnotations() {
        AlertCondition a = new AlertCondition("r", "main", Severity.WARNING, Map.of("schema", "s", "table", "t"),
                Map.of("dead_tuples", "1"), "x", 1, 1);
        AlertCondition b = new AlertCondition("r", "main", Severity.CRITICAL, new java.util.TreeMap<>(Map.of("table", "t", "schema", "s")),
                Map.of("dead_tuples", "2"), "y", 2, 2);
        assertEquals(a.fingerprint(), b.fingerprint());
        assertTrue(a.fingerprint().matches("[0-9a-f]{32}"));
        assertFalse(a.fingerprint().equals(new AlertCondition("r", "other", Severity.WARNING, Map.of("schema", "s", "table", "t"),
                Map.of(), "x", 1, 1).fingerprint()));
        // pinned: a change here would re-fire every alert after an upgrade
        assertEquals(AlertCondition.fingerprint("r", "main", Map.of("schema", "s", "table", "t")), a.fingerprint());
    }
}
