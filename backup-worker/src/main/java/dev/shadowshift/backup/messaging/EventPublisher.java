package dev.shadowshift.backup.messaging;

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
import java.util.UUID;

/**
 * Publishes backup outcomes keyed by plan id and waits for the broker's acknowledgement. Event ids derive from the
 * backup id, so re-announcing a backup after a redelivery produces the very same event.
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

    public void completed(BackupCompleted event) {
        send(completed, event.planId(), EventCodec.create(id("backup-completed", event.backupId()), SOURCE, event.planId(), event));
    }

    public void failed(String backupId, BackupFailed event) {
        send(failed, event.planId(), EventCodec.create(id("backup-failed", backupId), SOURCE, event.planId(), event));
    }

    private static String id(String kind, String backupId) {
        return UUID.nameUUIDFromBytes((kind + ":" + backupId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static void send(Emitter<String> emitter, String key, CloudEvent event) {
        KafkaCloudEvents.sendAndAwait(emitter, key, event, Duration.ofSeconds(60));
    }
}
