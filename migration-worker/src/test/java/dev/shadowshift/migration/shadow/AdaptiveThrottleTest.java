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

    /** 20 ms absolute, 1.25x the usual, pause at 250 ms, batches 100..200000, +2000 a batch, sleeps 20 ms .. 1 s, 5 canaries. */
    private static AdaptiveThrottle throttle() {
        return new AdaptiveThrottle(new AdaptiveThrottle.Limits(Duration.ofMillis(20), 1.25, Duration.ofMillis(250), 100, 200_000,
                2000, Duration.ofMillis(20), Duration.ofSeconds(1), 5));
    }

    /** 20 canaries with this mean and worst, nothing in flight. */
    private static Sample canary(double meanMs, double maxMs) {
        return new Sample(null, 20, meanMs, maxMs, 0);
    }

    @Test
    void theLookBeforeTheFirstBatchIsTheBaselineAndSlowsNothing() {
        AdaptiveThrottle t = throttle();
        Decision d = t.next(canary(2.0, 12.0), 1000, false);
        assertEquals(Action.GO, d.action());
        assertEquals(1000, d.batchSize());
        assertEquals(2.0, t.usualMeanMs());
        assertEquals(2.5, t.meanCeilingMs(), 1e-9, "1.25 x the usual 2 ms, under the absolute 20 ms");
        assertEquals(20.0, t.worstCeilingMs(), 1e-9, "the usual worst 12 ms x 1.25 is under 20 ms: 20 ms");
    }

    @Test
    void withoutABaselineTheAbsoluteCeilingApplies() {
        AdaptiveThrottle t = throttle();
        t.next(new Sample(null, 2, 1.0, 1.0, 0), 1000, false);
        assertNull(t.usualMeanMs(), "two canaries are no baseline");
        assertEquals(20.0, t.meanCeilingMs(), 1e-9);
        assertEquals(Action.GO, t.next(new Sample(null, 0, 0, 0, 15), 1000, true).action(), "a 15 ms write in flight is under 20 ms");
        Decision slow = t.next(new Sample(null, 0, 0, 0, 30), 1000, true);
        assertEquals(Action.SLOW, slow.action(), "a 30 ms write in flight is over it");
        assertTrue(slow.why().contains("worst 30.0 ms over 20.0 ms") && slow.why().contains("too few canaries (0)"), slow.why());
    }

    @Test
    void tooFewCanariesSayNothingAboutMeanOrWorst() {
        AdaptiveThrottle t = throttle();
        t.next(canary(1.0, 2.0), 1000, false);
        assertEquals(Action.GO, t.next(new Sample(null, 3, 50.0, 90.0, 0), 1000, true).action());
    }

    @Test
    void overTheMeanCeilingTheBatchHalvesAndTheSleepDoublesUpToItsMaximum() {
        AdaptiveThrottle t = throttle();
        t.next(canary(2.0, 5.0), 8000, false);
        Decision d1 = t.next(canary(3.0, 6.0), 8000, true);
        assertEquals(Action.SLOW, d1.action());
        assertEquals(4000, d1.batchSize());
        assertEquals(Duration.ofMillis(20), d1.sleep());
        assertTrue(d1.why().contains("mean 3.00 ms over 2.50 ms (usual 2.00 ms x 1.25)"), d1.why());
        Decision d2 = t.next(canary(3.0, 6.0), 8000, true);
        assertEquals(2000, d2.batchSize());
        assertEquals(Duration.ofMillis(40), d2.sleep());
        Decision last = d2;
        for (int i = 0; i < 20; i++) {
            last = t.next(canary(3.0, 6.0), 8000, true);
        }
        assertEquals(100, last.batchSize(), "never under batch-size-min");
        assertEquals(Duration.ofSeconds(1), last.sleep(), "never over max-sleep");
    }

    @Test
    void aWorstOverTwentyMillisecondsSlowsTheCopyEvenWhenTheMeanIsFine() {
        AdaptiveThrottle t = throttle();
        t.next(canary(1.0, 4.0), 8000, false);
        Decision d = t.next(canary(1.1, 35.0), 8000, true);
        assertEquals(Action.SLOW, d.action());
        assertTrue(d.why().contains("worst 35.0 ms over 20.0 ms"), d.why());
    }

    @Test
    void aServerAlreadySlowerThanTheCeilingIsHeldToItsOwnWorst() {
        AdaptiveThrottle t = throttle();
        t.next(canary(8.0, 40.0), 8000, false);
        assertEquals(50.0, t.worstCeilingMs(), 1e-9, "1.25 x the usual 40 ms: the copy cannot be held under what was there before");
        assertEquals(10.0, t.meanCeilingMs(), 1e-9);
        assertEquals(Action.GO, t.next(canary(9.0, 45.0), 8000, true).action());
        assertEquals(Action.SLOW, t.next(canary(9.0, 60.0), 8000, true).action());
        AdaptiveThrottle slowTable = throttle();
        slowTable.next(canary(30.0, 40.0), 1000, false);
        assertEquals(20.0, slowTable.meanCeilingMs(), 1e-9, "the mean never past the absolute 20 ms");
    }

    @Test
    void underTheCeilingsTheCapGrowsBackByStepsAndTheSleepFades() {
        AdaptiveThrottle t = throttle();
        t.next(canary(2.0, 5.0), 8000, false);
        t.next(canary(3.0, 6.0), 8000, true);
        t.next(canary(3.0, 6.0), 8000, true);
        t.next(canary(3.0, 6.0), 8000, true); // cap 1000, sleep 80 ms
        Decision r1 = t.next(canary(2.2, 6.0), 8000, true);
        assertEquals(Action.SLOW, r1.action(), "recovering");
        assertEquals(3000, r1.batchSize(), "cap 1000 + 2000");
        assertEquals(Duration.ofMillis(40), r1.sleep());
        assertTrue(r1.why().contains("recovering"), r1.why());
        Decision r2 = t.next(canary(2.2, 6.0), 8000, true);
        assertEquals(5000, r2.batchSize());
        assertEquals(Duration.ofMillis(20), r2.sleep());
        Decision r3 = t.next(canary(2.2, 6.0), 8000, true);
        assertEquals(7000, r3.batchSize());
        assertEquals(Duration.ZERO, r3.sleep());
        Decision r4 = t.next(canary(2.2, 6.0), 8000, true);
        assertEquals(Action.GO, r4.action());
        assertEquals(8000, r4.batchSize(), "never more than the caller proposed");
    }

    @Test
    void aHardStopAWriteStuckPastThePauseCeilingOrASlowCanaryPauses() {
        AdaptiveThrottle t = throttle();
        t.next(canary(2.0, 5.0), 8000, false);
        Decision alert = t.next(new Sample("critical alert 'migration_impact' is firing: writers wait", 20, 2.0, 5.0, 0), 8000, true);
        assertEquals(Action.PAUSE, alert.action());
        assertTrue(alert.why().contains("migration_impact"), alert.why());
        assertEquals(4000, alert.batchSize(), "it resumes at half the batch");
        Decision stuck = t.next(new Sample(null, 20, 2.0, 5.0, 400), 8000, true);
        assertEquals(Action.PAUSE, stuck.action());
        assertTrue(stuck.why().contains("a write to the table has been running for 400 ms, over pause-writer-latency 250 ms"), stuck.why());
        Decision canary = t.next(canary(20.0, 300.0), 8000, true);
        assertEquals(Action.PAUSE, canary.action());
        assertTrue(canary.why().contains("a canary write took 300 ms"), canary.why());
        AdaptiveThrottle first = throttle();
        assertEquals(Action.PAUSE, first.next(new Sample(null, 0, 0, 0, 300), 8000, false).action(),
                "even on the first look: a stuck writer is no baseline");
        assertNull(first.usualMeanMs());
    }

    @Test
    void limitsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveThrottle.Limits(Duration.ofMillis(20), 0.5, Duration.ofMillis(250),
                100, 200_000, 2000, Duration.ofMillis(20), Duration.ofSeconds(1), 5));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveThrottle.Limits(Duration.ofMillis(20), 1.25, Duration.ofMillis(250),
                1000, 100, 2000, Duration.ofMillis(20), Duration.ofSeconds(1), 5));
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
