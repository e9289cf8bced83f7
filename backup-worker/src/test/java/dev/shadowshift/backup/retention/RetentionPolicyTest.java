package dev.shadowshift.backup.retention;

import dev.shadowshift.backup.retention.RetentionPolicy.Candidate;
import dev.shadowshift.backup.retention.RetentionPolicy.Decision;
import dev.shadowshift.backup.retention.RetentionPolicy.Settings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetentionPolicyTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Settings DEFAULTS = new Settings(7, Duration.ofDays(7), 1);

    @Test
    void keepLastKeepsTheNewestAndRemovesTheRest() {
        List<Decision> d = RetentionPolicy.decide(daily(5, true), new Settings(2, Duration.ofDays(30), 1), NOW);
        assertEquals(List.of("d0", "d1"), kept(d));
        assertEquals("beyond keep-last 2 (it is the 3rd newest)", d.get(2).why());
    }

    @Test
    void maxAgeRemovesOldBackupsEvenWithinKeepLast() {
        List<Decision> d = RetentionPolicy.decide(daily(10, true), new Settings(10, Duration.ofDays(7), 1), NOW);
        assertEquals(List.of("d0", "d1", "d2", "d3", "d4", "d5", "d6"), kept(d), "6 days and an hour is within P7D; 7 days and an hour is not");
        assertEquals("older than max-age P7D (7d 1h old)", d.get(7).why());
    }

    @Test
    void aQuietWeekNeverDeletesTheLastVerifiedBackup() {
        List<Candidate> old = List.of(new Candidate("a", NOW.minus(Duration.ofDays(20)), true, false),
                new Candidate("b", NOW.minus(Duration.ofDays(30)), true, false));
        List<Decision> d = RetentionPolicy.decide(old, DEFAULTS, NOW);
        assertEquals(List.of("a"), kept(d), "the newest verified one stays, however old");
        assertTrue(d.get(0).why().startsWith("one of the newest min-verified 1 verified backup(s), although older than max-age"), d.get(0).why());
        assertEquals(List.of("a", "b"), kept(RetentionPolicy.decide(old, new Settings(7, Duration.ofDays(7), 2), NOW)));
    }

    @Test
    void corruptBackupsCountForKeepLastButNeverForMinVerified() {
        List<Candidate> c = List.of(
                new Candidate("new-corrupt", NOW.minus(Duration.ofHours(1)), false, false),
                new Candidate("older-corrupt", NOW.minus(Duration.ofHours(2)), false, false),
                new Candidate("good", NOW.minus(Duration.ofHours(3)), true, false),
                new Candidate("older-good", NOW.minus(Duration.ofHours(4)), true, false));
        List<Decision> d = RetentionPolicy.decide(c, new Settings(2, Duration.ofDays(7), 1), NOW);
        assertEquals(List.of("new-corrupt", "older-corrupt", "good"), kept(d), "keep-last 2 would leave no verified backup");
    }

    @Test
    void pinnedBackupsStayAndCountAsVerifiedOnes() {
        List<Candidate> c = new ArrayList<>(daily(4, true));
        c.set(3, new Candidate("d3", c.get(3).createdAt(), true, true));
        List<Decision> d = RetentionPolicy.decide(c, new Settings(1, Duration.ofDays(30), 1), NOW);
        assertEquals(List.of("d0", "d3"), kept(d));
        assertTrue(d.get(3).why().startsWith("pinned, although beyond keep-last 1"), d.get(3).why());
    }

    @Test
    void theOrderOfTheInputDoesNotMatterAndEveryBackupGetsADecision() {
        List<Candidate> shuffled = new ArrayList<>(daily(6, true));
        java.util.Collections.reverse(shuffled);
        List<Decision> d = RetentionPolicy.decide(shuffled, new Settings(3, Duration.ofDays(30), 1), NOW);
        assertEquals(6, d.size());
        assertEquals(List.of("d0", "d1", "d2"), kept(d));
    }

    @Test
    void nonsenseSettingsAreRefusedNamingTheSetting() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Settings(0, Duration.ofDays(1), 1)).getMessage().contains("keep-last"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Settings(1, Duration.ZERO, 1)).getMessage().contains("max-age"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Settings(1, Duration.ofDays(1), -1)).getMessage().contains("min-verified"));
    }

    /** One backup a day, d0 made an hour ago. */
    private static List<Candidate> daily(int n, boolean verified) {
        List<Candidate> c = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            c.add(new Candidate("d" + i, NOW.minus(Duration.ofDays(i)).minus(Duration.ofHours(1)), verified, false));
        }
        return c;
    }

    private static List<String> kept(List<Decision> decisions) {
        return decisions.stream().filter(d -> !d.remove()).map(Decision::backupId).toList();
    }
}
