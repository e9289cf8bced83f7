package dev.shadowshift.monitor.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.monitor.store.BackupStatusRepository;
import dev.shadowshift.monitor.store.ProcessedEventRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.Instant;

/**
 * Consumes backup-completed and backup-failed -> the newest of each per target, for backup_too_old and
 * backup_failed. Only the target, the event's time and (backup-failed) the reason are read: the rest of these
 * events belongs to backup-worker and migration-worker and may grow. Invalid records go to the topic's DLQ.
 */
@ApplicationScoped
public class BackupEventsConsumer {

    static final String COMPLETED = "monitor-service/backup-completed";
    static final String FAILED = "monitor-service/backup-failed";

    private final BackupStatusRepository backups;
    private final ProcessedEventRepository processed;

    public BackupEventsConsumer(BackupStatusRepository backups, ProcessedEventRepository processed) {
        this.backups = backups;
        this.processed = processed;
    }

    @Incoming("backup-completed")
    public Uni<Void> completed(String value) {
        CloudEvent event = EventSchemas.parse(value, EventType.BACKUP_COMPLETED);
        String target = event.data().path("target").asText();
        Instant at = EventTimes.of(event);
        return Panache.withTransaction(() -> processed.firstDelivery(COMPLETED, event.id())
                .chain(first -> first ? backups.completed(target, at) : Uni.createFrom().voidItem()));
    }

    @Incoming("backup-failed")
    public Uni<Void> failed(String value) {
        CloudEvent event = EventSchemas.parse(value, EventType.BACKUP_FAILED);
        String target = event.data().path("target").asText();
        JsonNode reason = event.data().path("reason");
        Instant at = EventTimes.of(event);
        return Panache.withTransaction(() -> processed.firstDelivery(FAILED, event.id())
                .chain(first -> first ? backups.failed(target, reason.isTextual() ? reason.asText() : null, at)
                        : Uni.createFrom().voidItem()));
    }
}
