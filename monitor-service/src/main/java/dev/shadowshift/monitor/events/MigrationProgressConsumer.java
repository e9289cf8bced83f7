package dev.shadowshift.monitor.events;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.monitor.dashboard.DashboardFeed;
import dev.shadowshift.monitor.store.MigrationProgressRepository;
import dev.shadowshift.monitor.store.ProcessedEventRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.Instant;

/**
 * Consumes migration-progress -> keeps the latest per plan, for the dashboard, migration_stalled and migration_impact
 * (which watches a plan's tables while it runs), and adds it to the plan's progress chart. A record that is
 * not a valid migration-progress event fails, which sends it to migration-progress.dlq with the reason; consumption
 * goes on.
 */
@ApplicationScoped
public class MigrationProgressConsumer {

    static final String CONSUMER = "monitor-service/migration-progress";

    private final MigrationProgressRepository progress;
    private final ProcessedEventRepository processed;
    private final DashboardFeed feed;

    public MigrationProgressConsumer(MigrationProgressRepository progress, ProcessedEventRepository processed,
                                     DashboardFeed feed) {
        this.feed = feed;
        this.progress = progress;
        this.processed = processed;
    }

    @Incoming("migration-progress")
    public Uni<Void> consume(String value) {
        CloudEvent event = EventSchemas.parse(value, EventType.MIGRATION_PROGRESS);
        MigrationProgress p = event.dataAs(MigrationProgress.class);
        Instant at = EventTimes.of(event);
        return Panache.withTransaction(() -> processed.firstDelivery(CONSUMER, event.id())
                .chain(first -> first ? progress.record(event.id(), at, p, Instant.now()).invoke(() -> feed.progressed(p, at))
                        : Uni.createFrom().voidItem()));
    }
}
