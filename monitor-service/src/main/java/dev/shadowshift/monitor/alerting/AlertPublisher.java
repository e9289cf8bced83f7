package dev.shadowshift.monitor.alerting;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.KafkaCloudEvents;
import dev.shadowshift.contracts.PublishFailedException;
import dev.shadowshift.monitor.config.MonitorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Publishes alert state changes to the {@code alerts} topic, keyed by fingerprint, and waits for Kafka's acknowledgement. */
@ApplicationScoped
public class AlertPublisher {

    public static final String SOURCE = "/shadowshift/monitor-service";

    private final Emitter<String> emitter;
    private final MonitorConfig config;

    public AlertPublisher(@Channel("alerts") Emitter<String> emitter, MonitorConfig config) {
        this.emitter = emitter;
        this.config = config;
    }

    /**
     * @throws AlertPublishingException when Kafka did not acknowledge in time; the caller then keeps the old state,
     *                                  so the next poll publishes again (at least once, never silently lost)
     */
    public void publish(ActiveAlert alert) {
        CloudEvent event = EventCodec.create(eventId(alert), SOURCE, alert.fingerprint(), alert.toEvent());
        try {
            KafkaCloudEvents.sendAndAwait(emitter, alert.fingerprint(), event, config.publishTimeout());
        } catch (PublishFailedException e) {
            throw new AlertPublishingException(alert, e);
        }
    }

    /**
     * Derived from what the event says, so that re-publishing the same transition (after a failed commit) carries
     * the same id and downstream de-duplication sees one event.
     */
    static String eventId(ActiveAlert alert) {
        String cause = String.join("|", alert.fingerprint(), alert.status().name(), alert.severity().name(),
                alert.startsAt().toString(), String.valueOf(alert.endsAt()));
        return UUID.nameUUIDFromBytes(cause.getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static class AlertPublishingException extends RuntimeException {
        AlertPublishingException(ActiveAlert alert, Throwable cause) {
            super("could not publish " + alert.status() + " " + alert.rule() + " alert " + alert.fingerprint()
                    + " for target " + alert.target() + ": " + (cause == null ? "unknown" : cause.getMessage()), cause);
        }
    }
}
