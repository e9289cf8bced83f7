package dev.shadowshift.monitor.snapshot;

import java.time.Duration;
import java.time.Instant;

/** The outcome of polling one target: either a snapshot or the reason none could be taken. */
public sealed interface PollResult permits PollResult.Reached, PollResult.Unreachable {

    String target();

    Instant at();

    /** How long the poll's queries took, seen from the monitor. */
    Duration took();

    record Reached(TargetSnapshot snapshot, Duration took) implements PollResult {
        @Override
        public String target() {
            return snapshot.target();
        }

        @Override
        public Instant at() {
            return snapshot.takenAt();
        }
    }

    /** @param reason what went wrong, without credentials (driver messages name host and database, never the password) */
    record Unreachable(String target, String database, Instant at, String reason, Duration took) implements PollResult {
    }
}
