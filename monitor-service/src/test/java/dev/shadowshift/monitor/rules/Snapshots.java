package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A healthy target's poll, to change one thing at a time. */
record Snapshots(TargetSnapshot s) {

    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    static final Instant STATS_SINCE = NOW.minus(Duration.ofDays(30));

    static Snapshots healthy() {
        return new Snapshots(new TargetSnapshot("main", "shop", NOW, false, true, 100, 10, Map.of("active", 2, "idle", 8),
                stats(1000, 10, 100, 10_000, 0, 0, 0), List.of(), List.of(), List.of(), Optional.empty(), Optional.empty(),
                List.of(), List.of(), new TargetSnapshot.Statements(true, null, List.of()), Optional.empty()));
    }

    static TargetSnapshot.DatabaseStats stats(long commits, long rollbacks, long reads, long hits, long tempFiles,
                                              long tempBytes, long deadlocks) {
        return new TargetSnapshot.DatabaseStats(commits, rollbacks, reads, hits, tempFiles, tempBytes, deadlocks, 1000, STATS_SINCE);
    }

    static TargetSnapshot.Session session(int pid, String state, double queryAge, double stateAge) {
        return new TargetSnapshot.Session(pid, "app", "shop-api", state, queryAge, stateAge, null,
                "UPDATE accounts SET balance = 100 WHERE id = 42", null, List.of(), null);
    }

    PollResult.Reached reached() {
        return new PollResult.Reached(s, Duration.ofMillis(5));
    }

    Snapshots connections(int used, int max) {
        return with(new TargetSnapshot(s.target(), s.database(), s.takenAt(), s.inRecovery(), s.seesAllSessions(), max, used,
                Map.of("active", used), s.stats(), s.sessions(), s.tables(), s.invalidIndexes(), s.oldestTable(),
                s.standbyReplayLagSeconds(), s.standbys(), s.inactiveSlots(), s.statements(), s.slow()));
    }

    Snapshots stats(TargetSnapshot.DatabaseStats stats) {
        return with(new TargetSnapshot(s.target(), s.database(), s.takenAt(), s.inRecovery(), s.seesAllSessions(),
                s.maxConnections(), s.connectionsUsed(), s.connectionsByState(), stats, s.sessions(), s.tables(),
                s.invalidIndexes(), s.oldestTable(), s.standbyReplayLagSeconds(), s.standbys(), s.inactiveSlots(),
                s.statements(), s.slow()));
    }

    Snapshots sessions(TargetSnapshot.Session... sessions) {
        return with(new TargetSnapshot(s.target(), s.database(), s.takenAt(), s.inRecovery(), s.seesAllSessions(),
                s.maxConnections(), s.connectionsUsed(), s.connectionsByState(), s.stats(), List.of(sessions), s.tables(),
                s.invalidIndexes(), s.oldestTable(), s.standbyReplayLagSeconds(), s.standbys(), s.inactiveSlots(),
                s.statements(), s.slow()));
    }

    Snapshots tables(TargetSnapshot.TableStats... tables) {
        return with(new TargetSnapshot(s.target(), s.database(), s.takenAt(), s.inRecovery(), s.seesAllSessions(),
                s.maxConnections(), s.connectionsUsed(), s.connectionsByState(), s.stats(), s.sessions(), List.of(tables),
                s.invalidIndexes(), s.oldestTable(), s.standbyReplayLagSeconds(), s.standbys(), s.inactiveSlots(),
                s.statements(), s.slow()));
    }

    Snapshots invalid(TargetSnapshot.IndexRef... indexes) {
        return with(new TargetSnapshot(s.target(), s.database(), s.takenAt(), s.inRecovery(), s.seesAllSessions(),
                s.maxConnections(), s.connectionsUsed(), s.connectionsByState(), s.stats(), s.sessions(), s.tables(),
                List.of(indexes), s.oldestTable(), s.standbyReplayLagSeconds(), s.standbys(), s.inactiveSlots(),
                s.statements(), s.slow()));
    }

    Snapshots replication(Optional<Double> standbyLag, List<TargetSnapshot.Standby> standbys, List<TargetSnapshot.Slot> slots) {
        return with(new TargetSnapshot(s.target(), s.database(), s.takenAt(), standbyLag.isPresent(), s.seesAllSessions(),
                s.maxConnections(), s.connectionsUsed(), s.connectionsByState(), s.stats(), s.sessions(), s.tables(),
                s.invalidIndexes(), s.oldestTable(), standbyLag, standbys, slots, s.statements(), s.slow()));
    }

    Snapshots statements(TargetSnapshot.Statements statements) {
        return with(new TargetSnapshot(s.target(), s.database(), s.takenAt(), s.inRecovery(), s.seesAllSessions(),
                s.maxConnections(), s.connectionsUsed(), s.connectionsByState(), s.stats(), s.sessions(), s.tables(),
                s.invalidIndexes(), s.oldestTable(), s.standbyReplayLagSeconds(), s.standbys(), s.inactiveSlots(),
                statements, s.slow()));
    }

    Snapshots slow(TargetSnapshot.SlowReads slow) {
        return with(new TargetSnapshot(s.target(), s.database(), s.takenAt(), s.inRecovery(), s.seesAllSessions(),
                s.maxConnections(), s.connectionsUsed(), s.connectionsByState(), s.stats(), s.sessions(), s.tables(),
                s.invalidIndexes(), s.oldestTable(), s.standbyReplayLagSeconds(), s.standbys(), s.inactiveSlots(),
                s.statements(), Optional.of(slow)));
    }

    Snapshots oldest(TargetSnapshot.OldestTable oldest) {
        return with(new TargetSnapshot(s.target(), s.database(), s.takenAt(), s.inRecovery(), s.seesAllSessions(),
                s.maxConnections(), s.connectionsUsed(), s.connectionsByState(), s.stats(), s.sessions(), s.tables(),
                s.invalidIndexes(), Optional.of(oldest), s.standbyReplayLagSeconds(), s.standbys(), s.inactiveSlots(),
                s.statements(), s.slow()));
    }

    private static Snapshots with(TargetSnapshot s) {
        return new Snapshots(s);
    }
}
