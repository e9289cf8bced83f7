package dev.shadowshift.schema.registry;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.KafkaCloudEvents;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.SpecChanged;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

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

    /** @throws dev.shadowshift.contracts.PublishFailedException when Kafka did not acknowledge within the timeout */
    public void publish(StoredVersion v, Duration timeout) {
        CloudEvent event = EventCodec.create(v.eventId(), SOURCE, v.subject(), payload(v));
        KafkaCloudEvents.sendAndAwait(emitter, key(v.target(), v.schema()), event, timeout);
    }
}
