package dev.shadowshift.monitor.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the consumed events say about one target, for the rules that read events rather than the database.
 *
 * @param lastBackup  time of the newest backup-completed event (its CloudEvent time)
 * @param lastFailure the newest backup-failed event
 * @param migrations  plans of this target whose latest migration-progress says they are still running
 */
public record EventFacts(Optional<Instant> lastBackup, Optional<BackupFailure> lastFailure, List<RunningPlan> migrations) {

    public static final EventFacts NONE = new EventFacts(Optional.empty(), Optional.empty(), List.of());

    /** @param reason backup-worker's reason, when the event has one */
    public record BackupFailure(Instant at, String reason) {
    }

    public record RunningPlan(String planId, String phase, String message, Instant lastEventAt) {
    }
}
