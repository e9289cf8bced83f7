package dev.shadowshift.migration.intake;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.migration.flow.MigrationFlow;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.sql.SQLException;

/**
 * backup-completed releases a plan that waits for its backup; backup-failed fails it. Events about plans this
 * worker does not know (another environment's, or long gone) are logged and skipped: they are not malformed. Backups
 * made for no plan (on request or on schedule: planId null) open no gate and are skipped too.
 */
@ApplicationScoped
public class BackupEventsConsumer {

    private final MigrationFlow flow;

    public BackupEventsConsumer(MigrationFlow flow) {
        this.flow = flow;
    }

    @Incoming(Topics.BACKUP_COMPLETED)
    @Blocking(ordered = true)
    public void completed(String value) throws SQLException {
        CloudEvent event = EventSchemas.parse(value, EventType.BACKUP_COMPLETED);
        BackupCompleted backup = event.dataAs(BackupCompleted.class);
        if (backup.planId() != null) {
            flow.backupCompleted(event.id(), backup);
        }
    }

    @Incoming(Topics.BACKUP_FAILED)
    @Blocking(ordered = true)
    public void failed(String value) throws SQLException {
        CloudEvent event = EventSchemas.parse(value, EventType.BACKUP_FAILED);
        BackupFailed backup = event.dataAs(BackupFailed.class);
        if (backup.planId() != null) {
            flow.backupFailed(event.id(), backup);
        }
    }
}
