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

    /** @param tables the tables the plan touches, from its migration-planned ({@code schema.table}; empty when not seen) */
    public record RunningPlan(String planId, String phase, String message, Instant lastEventAt, List<String> tables) {
        public RunningPlan {
            tables = tables == null ? List.of() : List.copyOf(tables);
        }
    }

    /** The tables of every running plan: what a poll reads pg_stat_statements' writers for. */
    public List<String> watchedTables() {
        return migrations.stream().flatMap(p -> p.tables().stream()).distinct().toList();
    }
}
