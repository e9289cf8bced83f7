package dev.shadowshift.monitor.alerting;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.KafkaCloudEvents;
import dev.shadowshift.contracts.PublishFailedException;
import dev.shadowshift.monitor.config.MonitorConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes alert notifications to the {@code alerts} topic, keyed by fingerprint. The returned Uni completes when
 * Kafka acknowledged the record, back on the caller's Vert.x context (the reactive session of the reconciliation
 * must not be used from the producer's thread).
 */
@ApplicationScoped
public class AlertPublisher {

    public static final String SOURCE = "/shadowshift/monitor-service";

    private final MutinyEmitter<String> emitter;
    private final MonitorConfig config;

    public AlertPublisher(@Channel("alerts") MutinyEmitter<String> emitter, MonitorConfig config) {
        this.emitter = emitter;
        this.config = config;
    }

    /** Fails with {@link PublishFailedException} when Kafka refused the record or did not answer in time. */
    public Uni<Void> publish(AlertStateMachine.Notification n) {
        CloudEvent event = EventCodec.create(n.eventId(), SOURCE, n.alert().fingerprint(), n.alert());
        Context context = Vertx.currentContext();
        Uni<Void> sent = emitter.sendMessage(KafkaCloudEvents.message(n.alert().fingerprint(), event))
                .ifNoItem().after(config.publishTimeout()).failWith(() -> new PublishFailedException(
                        "the broker did not acknowledge " + event.type() + " event " + event.id() + " within "
                                + config.publishTimeout(), null))
                .onFailure(t -> !(t instanceof PublishFailedException)).transform(t -> new PublishFailedException(
                        "the broker refused " + event.type() + " event " + event.id() + ": " + t.getMessage(), t));
        return context == null ? sent : sent.emitOn(r -> context.runOnContext(v -> r.run()));
    }
}
