package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.snapshot.EventFacts;
import dev.shadowshift.monitor.snapshot.PollHistory;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.shadowshift.monitor.rules.Snapshots.NOW;
import static dev.shadowshift.monitor.rules.Snapshots.healthy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** migration_impact as a pure function: a running plan, one poll's sessions and statements, the previous totals. */
class MigrationImpactTest {

    private final AlertRules rules = new AlertRules(RuleBook.defaults());
    private static final EventFacts.RunningPlan PLAN = new EventFacts.RunningPlan("plan-7", "SHADOW", "copying",
            NOW.minusSeconds(5), List.of("shop.orders"));
    private static final EventFacts RUNNING = new EventFacts(Optional.empty(), Optional.empty(), List.of(PLAN));

    private static TargetSnapshot.Session worker(int pid, String state, String query) {
        return new TargetSnapshot.Session(pid, "shadowshift", AlertRules.WORKER_APPLICATION, state, 4.0, 4.0, null, query,
                null, List.of(), null);
    }

    private static TargetSnapshot.Session waiting(int pid, double seconds, String relation, Integer... blockers) {
        return new TargetSnapshot.Session(pid, "app", "shop-api", "active", seconds, seconds, "Lock",
                "UPDATE shop.orders SET status = 'paid' WHERE id = 'or_1'", seconds, List.of(blockers), relation);
    }

    private static TargetSnapshot.Statement statement(long id, long calls, double totalMillis, String query) {
        return new TargetSnapshot.Statement(id, calls, totalMillis, query);
    }

    private static PollHistory before(Map<Long, PollHistory.StatementTotals> totals) {
        return new PollHistory(Optional.empty(), Optional.of(totals), List.of());
    }

    private AlertRules.Evaluation evaluate(Snapshots s, PollHistory h, EventFacts facts) {
        return rules.evaluate(s.reached(), h, facts, NOW);
    }

    @Test
    void aWriterWaitingBehindTheWorkersLockIsCriticalWithThePlanAsItsObject() {
        Snapshots s = healthy().sessions(worker(101, "active", "LOCK TABLE shop.orders IN ACCESS EXCLUSIVE MODE"),
                waiting(202, 1.5, "shop.orders", 101));
        AlertRules.Evaluation e = evaluate(s, PollHistory.NONE, RUNNING);
        Finding f = e.findings().stream().filter(x -> x.rule() == Rule.MIGRATION_IMPACT).findFirst().orElseThrow();
        assertEquals(Severity.CRITICAL, f.severity(), "1.5 s is over the 1 s critical default");
        assertEquals(Map.of("plan_id", "plan-7"), f.object(), "identity: the plan, not the pid");
        assertEquals(1.5, f.value(), 1e-9);
        assertTrue(f.summary().contains("pid 202 has waited 1.5 s for a lock on shop.orders"), f.summary());
        assertTrue(f.description().contains("blocked by pid 101"), f.description());
        assertTrue(f.description().contains("migration-worker's sessions (1): pid 101 active for 4 s: LOCK TABLE"), f.description());
        MigrationImpact impact = e.impacts().get(0);
        assertEquals(202, impact.waitingPid());
        assertEquals(1, impact.workerSessions().size());
    }

    @Test
    void aLockWaitOnAnotherTableBehindSomeoneElseIsNotTheMigrations() {
        Snapshots s = healthy().sessions(worker(101, "active", "INSERT INTO shop._ss_orders_new SELECT 1"),
                waiting(202, 30, "shop.customers", 303));
        AlertRules.Evaluation e = evaluate(s, PollHistory.NONE, RUNNING);
        assertTrue(e.findings().stream().noneMatch(f -> f.rule() == Rule.MIGRATION_IMPACT), e.findings().toString());
        assertNull(e.impacts().get(0).lockWaitSeconds());
        assertTrue(e.decided().contains(Rule.MIGRATION_IMPACT), "decided: a resolved impact resolves its alert");
    }

    @Test
    void aWaitBehindTheWorkerOnAnotherRunningPlansTableIsThatPlansOnly() {
        EventFacts.RunningPlan other = new EventFacts.RunningPlan("plan-8", "SHADOW", "copying", NOW.minusSeconds(5),
                List.of("shop.customers"));
        EventFacts both = new EventFacts(Optional.empty(), Optional.empty(), List.of(PLAN, other));
        Snapshots s = healthy().sessions(worker(101, "active", "LOCK TABLE shop.customers IN ACCESS EXCLUSIVE MODE"),
                waiting(202, 2, "shop.customers", 101));
        AlertRules.Evaluation e = evaluate(s, PollHistory.NONE, both);
        List<Finding> found = e.findings().stream().filter(x -> x.rule() == Rule.MIGRATION_IMPACT).toList();
        assertEquals(1, found.size(), found.toString());
        assertEquals("plan-8", found.get(0).object().get("plan_id"));
    }

    @Test
    void theWritersMeanTimeSinceThePreviousPollCountsNotTheirLifetime() {
        // 10 000 fast calls before the plan, then 20 calls at 400 ms: the delta is what writers feel now
        Snapshots s = healthy().statements(new TargetSnapshot.Statements(true, null, List.of(
                statement(11, 10_020, 10_000 * 0.2 + 20 * 400, "INSERT INTO shop.orders (id, amount) VALUES ($1, $2)"),
                statement(12, 500, 500 * 900, "SELECT * FROM shop.orders WHERE customer = $1"),
                statement(13, 900, 900 * 800, "INSERT INTO shop._ss_orders_new SELECT * FROM shop.orders"))));
        PollHistory h = before(Map.of(11L, new PollHistory.StatementTotals(10_000, 10_000 * 0.2),
                12L, new PollHistory.StatementTotals(0, 0), 13L, new PollHistory.StatementTotals(0, 0)));
        AlertRules.Evaluation e = evaluate(s, h, RUNNING);
        MigrationImpact impact = e.impacts().get(0);
        assertEquals(0.4, impact.writerLatencySeconds(), 1e-9, "reads and the worker's copy into its shadow table are not writers");
        assertEquals(11L, impact.writerQueryId());
        assertEquals(20L, impact.writerCalls());
        Finding f = e.findings().stream().filter(x -> x.rule() == Rule.MIGRATION_IMPACT).findFirst().orElseThrow();
        assertEquals(Severity.WARNING, f.severity());
        assertTrue(f.summary().contains("slows writers of shop.orders to 400 ms per statement"), f.summary());
        assertTrue(f.description().contains("Statement 11 ran 20 times since the previous poll"), f.description());
    }

    @Test
    void fewCallsSayNothingAndWithoutPgStatStatementsOnlyLockWaitsCount() {
        Snapshots few = healthy().statements(new TargetSnapshot.Statements(true, null, List.of(
                statement(11, 3, 3 * 5000, "UPDATE shop.orders SET amount = $1"))));
        assertNull(evaluate(few, before(Map.of()), RUNNING).impacts().get(0).writerLatencySeconds(), "3 calls < min-calls 5");

        Snapshots blind = healthy().statements(TargetSnapshot.Statements.missing("the pg_stat_statements extension is not installed"))
                .sessions(waiting(202, 0.5, "shop.orders"));
        AlertRules.Evaluation e = evaluate(blind, PollHistory.NONE, RUNNING);
        Finding f = e.findings().stream().filter(x -> x.rule() == Rule.MIGRATION_IMPACT).findFirst().orElseThrow();
        assertEquals(Severity.WARNING, f.severity());
        assertTrue(f.description().contains("Writer latency is not measured: the pg_stat_statements extension is not installed"),
                f.description());
    }

    @Test
    void noRunningPlanNoImpactAndTheThresholdsAreConfigurable() {
        Snapshots s = healthy().sessions(waiting(202, 0.3, "shop.orders"));
        AlertRules.Evaluation idle = evaluate(s, PollHistory.NONE, EventFacts.NONE);
        assertTrue(idle.impacts().isEmpty());
        assertTrue(idle.findings().stream().noneMatch(f -> f.rule() == Rule.MIGRATION_IMPACT));

        AlertRules strict = new AlertRules(RuleBook.with(Map.of("migration_impact.warning", "100ms",
                "migration_impact.critical", "200ms")));
        Finding f = strict.evaluate(s.reached(), PollHistory.NONE, RUNNING, NOW).findings().stream()
                .filter(x -> x.rule() == Rule.MIGRATION_IMPACT).findFirst().orElseThrow();
        assertEquals(Severity.CRITICAL, f.severity());
        assertEquals(0.2, f.threshold(), 1e-9);
        assertFalse(new AlertRules(RuleBook.with(Map.of("migration_impact.enabled", "false"))).evaluate(s.reached(),
                PollHistory.NONE, RUNNING, NOW).findings().stream().anyMatch(x -> x.rule() == Rule.MIGRATION_IMPACT));
    }

    @Test
    void theTableAStatementWritesToIsReadAsPostgreSqlFoldsNames() {
        assertEquals(Optional.of("shop.orders"), MigrationRules.writtenTable("INSERT INTO shop.orders (id) VALUES ($1)"));
        assertEquals(Optional.of("shop.orders"), MigrationRules.writtenTable("  update \"shop\" . ORDERS set a = $1"));
        assertEquals(Optional.of("Shop.Or\"ders"), MigrationRules.writtenTable("DELETE FROM \"Shop\".\"Or\"\"ders\" WHERE id = $1"));
        assertEquals(Optional.of("orders"), MigrationRules.writtenTable("MERGE INTO orders o USING x ON true WHEN MATCHED THEN DELETE"));
        assertEquals(Optional.of("shop.orders"), MigrationRules.writtenTable("UPDATE ONLY shop.orders SET a = 1"));
        assertEquals(Optional.empty(), MigrationRules.writtenTable("SELECT * FROM shop.orders"));
        assertEquals(Optional.empty(), MigrationRules.writtenTable(null));
        Set<String> plan = Set.of("shop.orders");
        assertTrue(MigrationRules.writesTo("INSERT INTO orders VALUES ($1)", plan), "unqualified: on the table's name");
        assertFalse(MigrationRules.writesTo("INSERT INTO shop.orders_archive VALUES ($1)", plan));
        assertFalse(MigrationRules.writesTo("INSERT INTO billing.orders VALUES ($1)", plan));
    }
}
