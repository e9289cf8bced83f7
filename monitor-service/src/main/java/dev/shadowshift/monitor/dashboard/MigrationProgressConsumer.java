package dev.shadowshift.monitor.dashboard;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.pg.ProcessedEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Consumes migration-progress -> keeps the latest per plan for the dashboard. A record that is not a valid
 * migration-progress event throws, which sends it to migration-progress.dlq with the reason; consumption goes on.
 */
@ApplicationScoped
public class MigrationProgressConsumer {

    static final String CONSUMER = "monitor-service/migration-progress";
    private static final Logger LOG = Logger.getLogger(MigrationProgressConsumer.class);

    private final MigrationProgressStore store;

    public MigrationProgressConsumer(MigrationProgressStore store) {
        this.store = store;
    }

    @Incoming("migration-progress")
    @Blocking(ordered = true)
    public void consume(String value) throws SQLException {
        CloudEvent event = EventSchemas.parse(value, EventType.MIGRATION_PROGRESS);
        MigrationProgress progress = event.dataAs(MigrationProgress.class);
        if (!progress.planId().equals(event.subject())) {
            LOG.debugf("migration-progress event %s has subject %s but planId %s; using planId", event.id(),
                    event.subject(), progress.planId());
        }
        Instant eventTime = eventTime(event);
        Optional<MigrationStatus> stored;
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try {
                if (!ProcessedEvents.firstDelivery(c, CONSUMER, event.id())) {
                    c.rollback();
                    return;
                }
                stored = store.upsert(c, event.id(), eventTime, progress);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        stored.ifPresent(store::remember);
    }

    private static Instant eventTime(CloudEvent event) {
        try {
            return OffsetDateTime.parse(event.time()).toInstant();
        } catch (DateTimeParseException | NullPointerException e) {
            throw new InvalidEventException("event " + event.id() + " has no usable time: " + event.time());
        }
    }
}
