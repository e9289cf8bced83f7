package dev.shadowshift.monitor.snapshot;

import java.time.Instant;

/** The outcome of polling one target: either a snapshot or the reason none could be taken. */
public sealed interface PollResult permits PollResult.Reached, PollResult.Unreachable {

    String target();

    Instant at();

    record Reached(TargetSnapshot snapshot) implements PollResult {
        @Override
        public String target() {
            return snapshot.target();
        }

        @Override
        public Instant at() {
            return snapshot.takenAt();
        }
    }

    /** @param reason what went wrong, without credentials (JDBC messages name host and database, never the password) */
    record Unreachable(String target, Instant at, String reason) implements PollResult {
    }
}
