package dev.shadowshift.monitor.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** The newest backup-completed and backup-failed of one target, by their CloudEvent time. */
@Entity
@Table(name = "backup_status")
public class BackupStatus extends PanacheEntityBase {

    @Id
    public String target;
    @Column(name = "last_completed_at")
    public Instant lastCompletedAt;
    @Column(name = "last_failed_at")
    public Instant lastFailedAt;
    @Column(name = "last_failed_reason")
    public String lastFailedReason;
}
