package dev.shadowshift.schema.registry;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.KafkaCloudEvents;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.SpecChanged;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Publishes spec-changed and waits until Kafka has it, so "registered" means "announced". */
@ApplicationScoped
public class SpecChangedPublisher {

    public static final String SOURCE = "/shadowshift/schema-service";

    private final Emitter<String> emitter;

    public SpecChangedPublisher(@Channel(Topics.SPEC_CHANGED) Emitter<String> emitter) {
        this.emitter = emitter;
    }

    /**
     * The event id of a version: the same subject, version and content always give the same id, so a republished
     * event is recognised downstream as the one already seen, and a registry rebuilt from scratch does not reuse ids.
     */
    public static String eventId(String subject, int version, String contentHash) {
        return UUID.nameUUIDFromBytes(("spec-changed:" + subject + ":" + version + ":" + contentHash)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static SpecChanged payload(StoredVersion v) {
        return new SpecChanged(v.subject(), v.version(), v.previousVersion(), v.contentHash(), v.target(), v.schema(),
                v.compatibility(), v.changes());
    }

    public static String key(String target, String schema) {
        return target + "/" + schema;
    }

    public void publish(StoredVersion v, Duration timeout) throws ExecutionException, TimeoutException, InterruptedException {
        CloudEvent event = EventCodec.create(v.eventId(), SOURCE, v.subject(), payload(v));
        CompletableFuture<Void> acked = new CompletableFuture<>();
        Message<String> message = KafkaCloudEvents.message(key(v.target(), v.schema()), event)
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(message);
        acked.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
