package dev.shadowshift.migration.messaging;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.KafkaCloudEvents;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.migration.support.Announcements;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * Publishes this worker's events and waits for the broker's acknowledgement, so a consumer only completes (and
 * its offset is only committed) once what it announced is durably on the topic.
 */
@ApplicationScoped
public class EventPublisher implements Announcements {

    public static final String SOURCE = "/shadowshift/migration-worker";

    private final Emitter<String> planned;
    private final Emitter<String> progress;

    public EventPublisher(@Channel("migration-planned") @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) Emitter<String> planned,
                          @Channel("migration-progress") @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) Emitter<String> progress) {
        this.planned = planned;
        this.progress = progress;
    }

    /** The event id derives from the plan id: a redelivered spec-changed re-announces the very same event. */
    @Override
    public void planned(MigrationPlanned plan) {
        String id = UUID.nameUUIDFromBytes(("migration-planned:" + plan.planId()).getBytes(StandardCharsets.UTF_8)).toString();
        send(planned, plan.planId(), EventCodec.create(id, SOURCE, plan.planId(), plan));
    }

    @Override
    public void progress(MigrationProgress event) {
        send(progress, event.planId(), EventCodec.create(SOURCE, event.planId(), event));
    }

    private static void send(Emitter<String> emitter, String key, CloudEvent event) {
        KafkaCloudEvents.sendAndAwait(emitter, key, event, Duration.ofSeconds(60));
    }
}
