package dev.shadowshift.backup.messaging;

import dev.shadowshift.backup.catalog.BackupEntry;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.KafkaCloudEvents;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * Announces what became of a backup and waits for the broker's acknowledgement. A plan's backup is keyed (and its
 * CloudEvent subject set) by plan id, as migration-worker expects; any other by backup id. Event ids derive from
 * the backup id, and the time is when the backup finished (for CORRUPT: when a verification found it so, which may
 * be days later), so re-announcing a backup after a redelivery produces the very same event.
 */
@ApplicationScoped
public class EventPublisher {

    public static final String SOURCE = "/shadowshift/backup-worker";

    private final Emitter<String> completed;
    private final Emitter<String> failed;

    public EventPublisher(@Channel("backup-completed") Emitter<String> completed, @Channel("backup-failed") Emitter<String> failed) {
        this.completed = completed;
        this.failed = failed;
    }

    /** @throws dev.shadowshift.contracts.PublishFailedException when the broker did not take it */
    public void completed(BackupEntry b) {
        BackupCompleted event = new BackupCompleted(b.planId(), b.backupId(), b.target(), b.tables(), b.format(), b.location(),
                b.sizeBytes(), b.sha256(), b.archiveEntries(), true, b.expiresAt().toInstant().toString(), b.trigger().name(),
                b.tableRows().stream().map(t -> new BackupCompleted.TableRows(t.name().qualified(), t.rows())).toList());
        send(completed, b, id("backup-completed", b.backupId()), event);
    }

    /** A FAILED or CORRUPT backup, with the catalog's reason. */
    public void failed(BackupEntry b) {
        BackupFailed event = new BackupFailed(b.planId(), b.target(), b.tables(), b.reason(), b.backupId(), b.status().name(),
                b.trigger().name());
        boolean corrupt = b.status() == BackupEntry.Status.CORRUPT && b.corruptAt() != null;
        send(failed, b, corrupt ? id("backup-corrupt", b.backupId() + ":" + b.corruptAt().toInstant()) : id("backup-failed", b.backupId()),
                event);
    }

    private static void send(Emitter<String> emitter, BackupEntry b, String id, Object data) {
        String key = b.planId() != null ? b.planId() : b.backupId();
        CloudEvent e = EventCodec.create(id, SOURCE, key, data);
        OffsetDateTime at = b.status() == BackupEntry.Status.CORRUPT && b.corruptAt() != null ? b.corruptAt()
                : b.finishedAt() != null ? b.finishedAt() : OffsetDateTime.now();
        CloudEvent timed = new CloudEvent(e.specversion(), e.id(), e.source(), e.type(), e.subject(),
                at.toInstant().truncatedTo(ChronoUnit.MILLIS).toString(), e.datacontenttype(), e.dataschema(), e.data());
        KafkaCloudEvents.sendAndAwait(emitter, key, timed, Duration.ofSeconds(60));
    }

    private static String id(String kind, String backupId) {
        return UUID.nameUUIDFromBytes((kind + ":" + backupId).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
