package dev.shadowshift.monitor.store;

import dev.shadowshift.monitor.dashboard.MigrationStatus;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** The latest migration-progress event of one plan. */
@Entity
@Table(name = "migration_progress")
public class MigrationProgressEntity extends PanacheEntityBase {

    @Id
    @Column(name = "plan_id")
    public String planId;
    public String target;
    public String status;
    public String phase;
    @Column(name = "steps_done")
    public int stepsDone;
    @Column(name = "steps_total")
    public int stepsTotal;
    public String message;
    @Column(name = "rows_copied")
    public Long rowsCopied;
    @Column(name = "rows_total")
    public Long rowsTotal;
    @Column(name = "rows_per_second")
    public Double rowsPerSecond;
    @Column(name = "eta_seconds")
    public Long etaSeconds;
    @Column(name = "event_id")
    public String eventId;
    @Column(name = "event_time")
    public Instant eventTime;
    @Column(name = "received_at")
    public Instant receivedAt;

    public MigrationStatus toStatus() {
        return new MigrationStatus(planId, target, status, phase, stepsDone, stepsTotal, message, rowsCopied, rowsTotal,
                rowsPerSecond, etaSeconds, eventId, eventTime, receivedAt, java.util.List.of(), null, java.util.List.of(),
                java.util.List.of());
    }
}
