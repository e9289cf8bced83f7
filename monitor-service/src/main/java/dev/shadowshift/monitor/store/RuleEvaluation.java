package dev.shadowshift.monitor.store;

import dev.shadowshift.monitor.snapshot.PollHistory;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the last evaluation of a target left: each rule's outcome, and what the next poll compares with (the
 * cumulative counters of pg_stat_database, database size samples). Kept in the database so that a restart can still
 * tell how many deadlocks happened while the monitor was down.
 */
@Entity
@Table(name = "rule_evaluations")
public class RuleEvaluation extends PanacheEntityBase {

    /** @param status decided, undecided or disabled; findings counts what the rule found */
    public record Outcome(String status, int findings, String note) {
    }

    @Id
    public String target;
    @Column(name = "evaluated_at")
    public Instant evaluatedAt;
    public boolean reachable;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Outcome> outcomes;
    @JdbcTypeCode(SqlTypes.JSON)
    public TargetSnapshot.DatabaseStats stats;
    /** Database size samples (the reactive driver maps JSON objects, not arrays: hence the wrapper). */
    public record Sizes(List<PollHistory.SizeSample> samples) {
    }

    @JdbcTypeCode(SqlTypes.JSON)
    public Sizes sizes;

    public List<PollHistory.SizeSample> sizeSamples() {
        return sizes == null || sizes.samples() == null ? List.of() : sizes.samples();
    }
    @Column(name = "slow_read_at")
    public Instant slowReadAt;
}
