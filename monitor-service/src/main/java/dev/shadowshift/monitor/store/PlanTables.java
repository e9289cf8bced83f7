package dev.shadowshift.monitor.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.List;

/**
 * The tables a plan touches, as migration-planned named them (schema.table): what the monitor watches for the plan
 * while it runs (lock waits on them, writers' latency), next to its migration-progress.
 */
@Entity
@Table(name = "plan_tables")
public class PlanTables extends PanacheEntityBase {

    /** The reactive driver maps JSON objects, not arrays: hence the wrapper. */
    public record Names(List<String> names) {
    }

    @Id
    @Column(name = "plan_id")
    public String planId;
    public String target;
    @JdbcTypeCode(SqlTypes.JSON)
    public Names tables;
    @Column(name = "planned_at")
    public Instant plannedAt;

    public List<String> names() {
        return tables == null || tables.names() == null ? List.of() : tables.names();
    }
}
