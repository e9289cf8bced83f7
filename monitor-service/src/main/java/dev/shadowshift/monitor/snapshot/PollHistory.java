package dev.shadowshift.monitor.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What earlier polls of a target left for the rules that compare over time: the previous poll's counters (deadlocks,
 * rollbacks, cache hits and temp bytes are cumulative in pg_stat_database), the previous statement totals, and
 * database size samples over the growth window.
 */
public record PollHistory(Optional<Previous> previous, Optional<Map<Long, StatementTotals>> statements,
                          List<SizeSample> sizes) {

    public static final PollHistory NONE = new PollHistory(Optional.empty(), Optional.empty(), List.of());

    public record Previous(Instant at, TargetSnapshot.DatabaseStats stats) {
    }

    public record StatementTotals(long calls, double totalMillis) {
    }

    public record SizeSample(Instant at, long bytes) {
    }
}
