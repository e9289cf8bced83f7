package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.snapshot.EventFacts;
import dev.shadowshift.monitor.snapshot.PollHistory;
import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static dev.shadowshift.monitor.rules.Snapshots.NOW;
import static dev.shadowshift.monitor.rules.Snapshots.healthy;
import static dev.shadowshift.monitor.rules.Snapshots.session;
import static dev.shadowshift.monitor.rules.Snapshots.stats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rule, as a pure function of one poll's rows (and what the previous poll and the events left). */
class AlertRulesTest {

    private final AlertRules rules = new AlertRules(RuleBook.defaults());

    private AlertRules.Evaluation evaluate(Snapshots s) {
        return rules.evaluate(s.reached(), PollHistory.NONE, EventFacts.NONE, NOW);
    }

    private AlertRules.Evaluation evaluate(Snapshots s, PollHistory h) {
        return rules.evaluate(s.reached(), h, EventFacts.NONE, NOW);
    }

    private static List<Finding> of(AlertRules.Evaluation e, Rule rule) {
        return e.findings().stream().filter(f -> f.rule() == rule).toList();
    }

    private static Finding only(AlertRules.Evaluation e, Rule rule) {
        List<Finding> found = of(e, rule);
        assertEquals(1, found.size(), rule + ": " + e.findings());
        return found.get(0);
    }

    private static PollHistory previous(TargetSnapshot.DatabaseStats stats) {
        return new PollHistory(Optional.of(new PollHistory.Previous(NOW.minusSeconds(15), stats)), Optional.of(Map.of()), List.of());
    }

    @Test
    void aHealthyTargetHasNoFindingsAndDecidesEveryPollRule() {
        AlertRules.Evaluation e = evaluate(healthy(), previous(healthy().s().stats()));
        assertTrue(e.findings().isEmpty(), e.findings().toString());
        for (Rule r : Rule.from(Rule.Source.POLL)) {
            assertTrue(e.decided().contains(r), r + " decided");
        }
        assertFalse(e.decided().contains(Rule.SEQUENCE_EXHAUSTION), "slow rules wait for a slow poll");
        assertEquals("read on the slow polls only", e.notes().get(Rule.UNUSED_INDEX));
    }

    @Test
    void anUnreachableTargetDecidesOnlyTargetUnreachableAndTheEventRules() {
        PollResult.Unreachable down = new PollResult.Unreachable("main", "shop", NOW, "Connection refused", Duration.ofMillis(3));
        AlertRules.Evaluation e = rules.evaluate(down, PollHistory.NONE, EventFacts.NONE, NOW);
        Finding f = only(e, Rule.TARGET_UNREACHABLE);
        assertEquals(Severity.CRITICAL, f.severity());
        assertTrue(f.description().contains("Connection refused"));
        assertTrue(e.decided().contains(Rule.BACKUP_FAILED));
        assertFalse(e.decided().contains(Rule.LONG_RUNNING_QUERY), "nothing is known of its queries");
    }

    @Test
    void connectionSaturationWarnsThenIsCriticalWithTheSameObject() {
        assertTrue(of(evaluate(healthy().connections(79, 100)), Rule.CONNECTION_SATURATION).isEmpty());
        Finding warning = only(evaluate(healthy().connections(80, 100)), Rule.CONNECTION_SATURATION);
        assertEquals(Severity.WARNING, warning.severity());
        assertEquals(0.8, warning.threshold(), 1e-9);
        Finding critical = only(evaluate(healthy().connections(96, 100)), Rule.CONNECTION_SATURATION);
        assertEquals(Severity.CRITICAL, critical.severity());
        assertEquals(warning.object(), critical.object());
        assertTrue(critical.summary().contains("96 of 100"), critical.summary());
    }

    @Test
    void longRunningQueryReportsTheOldestActiveQueryRedacted() {
        Finding f = only(evaluate(healthy().sessions(session(11, "active", 400, 400), session(12, "active", 1900, 1900),
                session(13, "idle in transaction", 5000, 5000))), Rule.LONG_RUNNING_QUERY);
        assertEquals(Severity.CRITICAL, f.severity(), "1900 s is over 30 min");
        assertEquals(1900, f.value());
        assertTrue(f.description().contains("pid 12") && f.description().contains("balance = ? WHERE id = ?"), f.description());
        assertTrue(f.description().contains("2 sessions are over the threshold"), f.description());
        assertTrue(f.object().isEmpty(), "one alert per target: a pid would make a new alert per query");
    }

    @Test
    void idleInTransactionMeasuresTheTimeSinceTheLastStatement() {
        Finding f = only(evaluate(healthy().sessions(session(21, "idle in transaction", 900, 360),
                session(22, "idle in transaction (aborted)", 100, 100))), Rule.IDLE_IN_TRANSACTION);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals(360, f.value());
        assertTrue(f.summary().contains("6 min") && f.summary().contains("pid 21"), f.summary());
    }

    @Test
    void blockedQueriesNameTheBlockerAndWhatItDoes() {
        TargetSnapshot.Session waiting = new TargetSnapshot.Session(31, "app", "api", "active", 50, 50, "Lock",
                "UPDATE orders SET state = 'paid' WHERE id = 7", 45.0, List.of(30), "public.orders");
        TargetSnapshot.Session blocker = session(30, "idle in transaction", 120, 120);
        Finding f = only(evaluate(healthy().sessions(blocker, waiting)), Rule.BLOCKED_QUERIES);
        assertEquals(Severity.WARNING, f.severity());
        assertTrue(f.summary().contains("blocked by pid 30") && f.summary().contains("public.orders"), f.summary());
        assertTrue(f.description().contains("pid 30 (user app, application shop-api) is idle in transaction"), f.description());
        assertFalse(f.description().contains("'paid'"), "literals are redacted");
    }

    @Test
    void counterRulesCompareWithThePreviousPollAndWaitForOne() {
        Snapshots now = healthy().stats(stats(1100, 60, 2100, 10_000 + 1000, 12, 300L << 20, 3));
        AlertRules.Evaluation first = evaluate(now);
        assertFalse(first.decided().contains(Rule.DEADLOCKS), "no previous poll: no deltas");

        AlertRules.Evaluation e = evaluate(now, previous(stats(1000, 10, 100, 10_000, 2, 100L << 20, 1)));
        Finding deadlocks = only(e, Rule.DEADLOCKS);
        assertEquals(2, deadlocks.value());
        assertEquals(Severity.WARNING, deadlocks.severity());
        Finding rollbacks = only(e, Rule.ROLLBACK_RATIO);
        assertEquals(50.0 / 150, rollbacks.value(), 1e-9, "50 of 150 transactions rolled back");
        assertEquals(Severity.CRITICAL, rollbacks.severity());
        Finding cache = only(e, Rule.CACHE_HIT_RATIO);
        assertEquals(1000.0 / 3000, cache.value(), 1e-9);
        assertEquals(Severity.CRITICAL, cache.severity(), "below 0.8 is critical: lower is worse");
        Finding temp = only(e, Rule.TEMP_FILES);
        assertEquals(200L << 20, temp.value());
        assertTrue(temp.summary().contains("200.0 MiB"), temp.summary());

        AlertRules.Evaluation reset = evaluate(now, previous(new TargetSnapshot.DatabaseStats(5000, 0, 0, 0, 0, 0, 9, 1,
                NOW.minusSeconds(5))));
        assertFalse(reset.decided().contains(Rule.DEADLOCKS), "counters were reset: not comparable");
    }

    @Test
    void ratiosOfTooFewTransactionsOrReadsSayNothing() {
        Snapshots now = healthy().stats(stats(1005, 13, 110, 10_001, 0, 0, 0));
        AlertRules.Evaluation e = evaluate(now, previous(stats(1000, 10, 100, 10_000, 0, 0, 0)));
        assertTrue(of(e, Rule.ROLLBACK_RATIO).isEmpty());
        assertTrue(of(e, Rule.CACHE_HIT_RATIO).isEmpty());
        assertTrue(e.decided().contains(Rule.ROLLBACK_RATIO), "decided: an alert firing from before resolves");
    }

    @Test
    void slowQueriesUseTheMeanSinceThePreviousPollWithTheQueryId() {
        Snapshots now = healthy().statements(new TargetSnapshot.Statements(true, null, List.of(
                new TargetSnapshot.Statement(77, 110, 60_000, "SELECT * FROM orders WHERE customer = $1"),
                new TargetSnapshot.Statement(78, 1000, 1000, null),
                new TargetSnapshot.Statement(79, 3, 30_000, null))));
        PollHistory before = new PollHistory(Optional.empty(), Optional.of(Map.of(
                77L, new PollHistory.StatementTotals(100, 10_000),
                78L, new PollHistory.StatementTotals(900, 900))), List.of());
        Finding f = only(evaluate(now, before), Rule.SLOW_QUERIES);
        assertEquals("77", f.object().get("queryid"));
        assertEquals(5.0, f.value(), 1e-9, "50 s over 10 calls: 5 s each, whatever the history before");
        assertEquals(Severity.CRITICAL, f.severity());
        assertTrue(f.description().contains("customer = $1"), f.description());
        assertFalse(evaluate(now).decided().contains(Rule.SLOW_QUERIES), "the first poll has nothing to compare with");
    }

    @Test
    void slowQueriesSayClearlyWhenTheExtensionIsMissing() {
        Snapshots blind = healthy().statements(TargetSnapshot.Statements.missing(
                "the pg_stat_statements extension is not installed in database shop"));
        Finding f = only(evaluate(blind), Rule.SLOW_QUERIES);
        assertEquals(Severity.INFO, f.severity());
        assertTrue(f.summary().contains("not installed"), f.summary());
        assertTrue(f.description().contains("shared_preload_libraries") && f.description().contains("CREATE EXTENSION"),
                f.description());
    }

    @Test
    void tableRulesLookAtEachTableWithEnoughRows() {
        Instant old = NOW.minus(Duration.ofDays(8));
        AlertRules.Evaluation e = evaluate(healthy().tables(
                new TargetSnapshot.TableStats("public", "orders", 40_000, 60_000, 0, NOW.minusSeconds(60), NOW),
                new TargetSnapshot.TableStats("public", "tiny", 10, 9_000, 0, null, NOW),
                new TargetSnapshot.TableStats("public", "events", 1_000_000, 5_000, 50_000, old, old)));
        Finding dead = only(e, Rule.DEAD_TUPLE_RATIO);
        assertEquals(Map.of("relation", "public.orders"), dead.object());
        assertEquals(Severity.WARNING, dead.severity(), "bloat is not critical by default");
        List<Finding> vacuum = of(e, Rule.TABLE_NOT_VACUUMED);
        assertEquals(2, vacuum.size(), "events (8 days) and tiny (never since statistics began 30 days ago): " + vacuum);
        assertTrue(vacuum.stream().anyMatch(f -> f.description().contains("never since statistics began")));
        Finding analyze = only(e, Rule.TABLE_NOT_ANALYZED);
        assertEquals("public.events", analyze.object().get("relation"));
    }

    @Test
    void anInvalidIndexIsAWarningPerIndex() {
        Finding f = only(evaluate(healthy().invalid(new TargetSnapshot.IndexRef("public", "orders_email_idx", "orders"))),
                Rule.INVALID_INDEX);
        assertEquals(Severity.WARNING, f.severity());
        assertEquals("public.orders_email_idx", f.object().get("relation"));
        assertTrue(f.description().contains("CREATE INDEX CONCURRENTLY"));
    }

    @Test
    void slowReadsDecideSequencesUnusedIndexesAndGrowth() {
        TargetSnapshot.SlowReads slow = new TargetSnapshot.SlowReads(OptionalLong.of(30L << 30), List.of(
                new TargetSnapshot.SequenceUsage("public", "orders_id_seq", 1_950_000_000L, 1, 2_147_483_647L, "public.orders.id"),
                new TargetSnapshot.SequenceUsage("public", "big_seq", 10, 1, Long.MAX_VALUE, null)),
                List.of(new TargetSnapshot.UnusedIndex("public", "orders_note_idx", "orders", 50L << 20),
                        new TargetSnapshot.UnusedIndex("public", "small_idx", "orders", 1L << 20)));
        PollHistory sizes = new PollHistory(Optional.empty(), Optional.empty(),
                List.of(new PollHistory.SizeSample(NOW.minus(Duration.ofMinutes(55)), 20L << 30)));
        AlertRules.Evaluation e = evaluate(healthy().slow(slow), sizes);
        Finding seq = only(e, Rule.SEQUENCE_EXHAUSTION);
        assertEquals(Severity.CRITICAL, seq.severity(), "91 % of an integer column's range");
        assertTrue(seq.description().contains("public.orders.id"), seq.description());
        Finding unused = only(e, Rule.UNUSED_INDEX);
        assertEquals("public.orders_note_idx", unused.object().get("relation"), "small_idx is under min-size");
        Finding growth = only(e, Rule.DATABASE_SIZE_GROWTH);
        assertEquals(0.5, growth.value(), 1e-9);
        assertEquals(Severity.CRITICAL, growth.severity());

        PollHistory tooRecent = new PollHistory(Optional.empty(), Optional.empty(),
                List.of(new PollHistory.SizeSample(NOW.minus(Duration.ofMinutes(10)), 20L << 30)));
        assertFalse(evaluate(healthy().slow(slow), tooRecent).decided().contains(Rule.DATABASE_SIZE_GROWTH),
                "a sample half a window old is needed");
    }

    @Test
    void xidAgeNamesTheOldestTable() {
        TargetSnapshot.DatabaseStats aged = new TargetSnapshot.DatabaseStats(0, 0, 0, 0, 0, 0, 0, 1_600_000_000L, Snapshots.STATS_SINCE);
        Finding f = only(evaluate(healthy().stats(aged).oldest(new TargetSnapshot.OldestTable("public.ledger", 1_600_000_000L))),
                Rule.XID_WRAPAROUND);
        assertEquals(Severity.CRITICAL, f.severity());
        assertTrue(f.description().contains("public.ledger"), f.description());
    }

    @Test
    void replicationLagOnBothSidesAndInactiveSlots() {
        AlertRules.Evaluation primary = evaluate(healthy().replication(Optional.empty(),
                List.of(new TargetSnapshot.Standby("replica1", "10.0.0.2", "streaming", 45.0, 1L << 20)),
                List.of(new TargetSnapshot.Slot("gone_consumer", "logical", "shop", 2L << 30, "reserved"))));
        Finding lag = only(primary, Rule.REPLICATION_LAG);
        assertEquals(Map.of("standby", "replica1"), lag.object());
        Finding slot = only(primary, Rule.REPLICATION_SLOT_INACTIVE);
        assertEquals(Map.of("slot", "gone_consumer"), slot.object());
        assertEquals(Severity.WARNING, slot.severity());

        Finding standby = only(evaluate(healthy().replication(Optional.of(400.0), List.of(), List.of())), Rule.REPLICATION_LAG);
        assertEquals(Severity.CRITICAL, standby.severity());
        assertTrue(standby.object().isEmpty());
    }

    @Test
    void eventRulesReadBackupsAndMigrationProgress() {
        EventFacts facts = new EventFacts(Optional.of(NOW.minus(Duration.ofDays(9))),
                Optional.of(new EventFacts.BackupFailure(NOW.minusSeconds(60), "pg_dump: disk full")),
                List.of(new EventFacts.RunningPlan("plan-1", "SHADOW", "copying", NOW.minus(Duration.ofMinutes(12)), List.of())));
        AlertRules.Evaluation e = rules.evaluate(healthy().reached(), PollHistory.NONE, facts, NOW);
        assertEquals(Severity.WARNING, only(e, Rule.BACKUP_TOO_OLD).severity());
        Finding failed = only(e, Rule.BACKUP_FAILED);
        assertTrue(failed.summary().contains("disk full"), failed.summary());
        Finding stalled = only(e, Rule.MIGRATION_STALLED);
        assertEquals(Map.of("plan_id", "plan-1"), stalled.object());

        EventFacts backedUpSince = new EventFacts(Optional.of(NOW.minusSeconds(10)),
                Optional.of(new EventFacts.BackupFailure(NOW.minusSeconds(60), "disk full")), List.of());
        assertTrue(of(rules.evaluate(healthy().reached(), PollHistory.NONE, backedUpSince, NOW), Rule.BACKUP_FAILED).isEmpty(),
                "a completed backup after the failure resolves it");
    }

    @Test
    void aDisabledRuleIsDecidedAndFindsNothing() {
        AlertRules quiet = new AlertRules(RuleBook.with(Map.of("connection_saturation.enabled", "false")));
        AlertRules.Evaluation e = quiet.evaluate(healthy().connections(99, 100).reached(), PollHistory.NONE, EventFacts.NONE, NOW);
        assertTrue(of(e, Rule.CONNECTION_SATURATION).isEmpty());
        assertTrue(e.decided().contains(Rule.CONNECTION_SATURATION), "so that its firing alert resolves");
    }
}
