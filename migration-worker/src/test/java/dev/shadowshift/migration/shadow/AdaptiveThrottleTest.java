package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.shadow.AdaptiveThrottle.Action;
import dev.shadowshift.migration.shadow.AdaptiveThrottle.Decision;
import dev.shadowshift.migration.shadow.AdaptiveThrottle.Sample;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdaptiveThrottleTest {

    /** 20 ms absolute, 1.25x the usual mean, pause at 250 ms, batches 100..200000, +2000 a batch, sleeps 20 ms .. 1 s. */
    private static AdaptiveThrottle throttle() {
        return new AdaptiveThrottle(new AdaptiveThrottle.Limits(Duration.ofMillis(20), 1.25, Duration.ofMillis(250), 100, 200_000,
                2000, Duration.ofMillis(20), Duration.ofSeconds(1), 50));
    }

    private static Sample mean(double ms, long calls) {
        return new Sample(null, ms, calls, 0, "test");
    }

    @Test
    void theLookBeforeTheFirstBatchSetsTheBaselineAndNeverSlowsAnything() {
        AdaptiveThrottle t = throttle();
        Decision d = t.next(mean(4.0, 10_000), 1000, false);
        assertEquals(Action.GO, d.action());
        assertEquals(1000, d.batchSize());
        assertEquals(4.0, t.baselineMs());
        assertEquals(5.0, t.ceilingMs(), 1e-9, "1.25 x the usual 4 ms, under the absolute 20 ms");
    }

    @Test
    void withoutABaselineTheAbsoluteCeilingApplies() {
        AdaptiveThrottle t = throttle();
        t.next(new Sample(null, null, 0, 0, "pg_stat_statements is not installed"), 1000, false);
        assertNull(t.baselineMs());
        assertEquals(20.0, t.ceilingMs(), 1e-9);
        assertEquals(Action.GO, t.next(new Sample(null, null, 0, 15, "x"), 1000, true).action(), "a 15 ms write in flight is under 20 ms");
        Decision slow = t.next(new Sample(null, null, 0, 30, "x"), 1000, true);
        assertEquals(Action.SLOW, slow.action(), "a 30 ms write in flight is over it");
        assertTrue(slow.why().contains("oldest in flight 30 ms"), slow.why());
    }

    @Test
    void aMeanOverTooFewWritesIsNoise() {
        AdaptiveThrottle t = throttle();
        t.next(mean(1.0, 5), 1000, false);
        assertNull(t.baselineMs(), "5 calls do not make a baseline");
        assertEquals(Action.GO, t.next(mean(50.0, 10), 1000, true).action(), "nor a reason to slow down");
    }

    @Test
    void overTheCeilingTheBatchHalvesAndTheSleepDoublesUpToItsMaximum() {
        AdaptiveThrottle t = throttle();
        t.next(mean(2.0, 10_000), 8000, false);
        Decision d1 = t.next(mean(3.0, 5000), 8000, true);
        assertEquals(Action.SLOW, d1.action());
        assertEquals(4000, d1.batchSize());
        assertEquals(Duration.ofMillis(20), d1.sleep());
        assertTrue(d1.why().contains("over the ceiling 2.5 ms"), d1.why());
        Decision d2 = t.next(mean(3.0, 5000), 8000, true);
        assertEquals(2000, d2.batchSize());
        assertEquals(Duration.ofMillis(40), d2.sleep());
        Decision last = d2;
        for (int i = 0; i < 20; i++) {
            last = t.next(mean(3.0, 5000), 8000, true);
        }
        assertEquals(100, last.batchSize(), "never under batch-size-min");
        assertEquals(Duration.ofSeconds(1), last.sleep(), "never over max-sleep");
    }

    @Test
    void underTheCeilingTheCapGrowsBackByStepsAndTheSleepFades() {
        AdaptiveThrottle t = throttle();
        t.next(mean(2.0, 10_000), 8000, false);
        t.next(mean(3.0, 5000), 8000, true);
        t.next(mean(3.0, 5000), 8000, true);
        t.next(mean(3.0, 5000), 8000, true); // cap 1000, sleep 80 ms
        Decision r1 = t.next(mean(2.2, 5000), 8000, true);
        assertEquals(Action.SLOW, r1.action(), "recovering");
        assertEquals(3000, r1.batchSize(), "cap 1000 + 2000");
        assertEquals(Duration.ofMillis(40), r1.sleep());
        assertTrue(r1.why().contains("recovering"), r1.why());
        Decision r2 = t.next(mean(2.2, 5000), 8000, true);
        assertEquals(5000, r2.batchSize());
        assertEquals(Duration.ofMillis(20), r2.sleep());
        Decision r3 = t.next(mean(2.2, 5000), 8000, true);
        assertEquals(7000, r3.batchSize());
        assertEquals(Duration.ZERO, r3.sleep());
        Decision r4 = t.next(mean(2.2, 5000), 8000, true);
        assertEquals(Action.GO, r4.action());
        assertEquals(8000, r4.batchSize(), "never more than the caller proposed");
    }

    @Test
    void aHardStopOrAWriteStuckPastThePauseCeilingPauses() {
        AdaptiveThrottle t = throttle();
        t.next(mean(2.0, 10_000), 8000, false);
        Decision alert = t.next(new Sample("critical alert 'migration_impact' is firing: writers wait", 2.0, 5000, 0, "x"), 8000, true);
        assertEquals(Action.PAUSE, alert.action());
        assertTrue(alert.why().contains("migration_impact"), alert.why());
        assertEquals(4000, alert.batchSize(), "it resumes at half the batch");
        Decision stuck = t.next(new Sample(null, 2.0, 5000, 400, "x"), 8000, true);
        assertEquals(Action.PAUSE, stuck.action());
        assertTrue(stuck.why().contains("400 ms, over pause-writer-latency 250 ms"), stuck.why());
        assertEquals(Action.PAUSE, t.next(new Sample(null, null, 0, 300, "x"), 8000, false).action(),
                "even on the first look: a stuck writer is not a baseline");
    }

    @Test
    void theAbsoluteCeilingCapsARelativeOneOnAnAlreadySlowTable() {
        AdaptiveThrottle t = throttle();
        t.next(mean(30.0, 10_000), 1000, false);
        assertEquals(20.0, t.ceilingMs(), 1e-9);
        assertEquals(Action.SLOW, t.next(mean(25.0, 1000), 1000, true).action());
    }

    @Test
    void limitsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveThrottle.Limits(Duration.ofMillis(20), 0.5, Duration.ofMillis(250),
                100, 200_000, 2000, Duration.ofMillis(20), Duration.ofSeconds(1), 50));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveThrottle.Limits(Duration.ofMillis(20), 1.25, Duration.ofMillis(250),
                1000, 100, 2000, Duration.ofMillis(20), Duration.ofSeconds(1), 50));
    }

    @Test
    void theWriterPatternMatchesTheTablesOwnWritesOnly() {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(Throttle.writesTo("app", "ledgers"),
                java.util.regex.Pattern.CASE_INSENSITIVE);
        for (String yes : new String[]{"UPDATE app.ledgers SET amount = $1 WHERE id = $2", "insert into \"app\".\"ledgers\" (id) values ($1)",
                "DELETE FROM ledgers WHERE id = $1", "update only app.ledgers set x = 1", "MERGE INTO app.ledgers USING s ON true"}) {
            assertTrue(p.matcher(yes).find(), yes);
        }
        for (String no : new String[]{"INSERT INTO shadowshift.ledgers_ss_log_1 SELECT * FROM app.ledgers",
                "INSERT INTO app.\"ledgers_ss_new_cd005858\" SELECT id FROM app.ledgers", "SELECT * FROM app.ledgers",
                "UPDATE app.ledgers2 SET x = 1"}) {
            assertTrue(!p.matcher(no).find(), no);
        }
        assertTrue(Throttle.writesTo("a.b", "t%_").contains("a\\.b"), "a name's characters are escaped, not read as a pattern");
    }
}
