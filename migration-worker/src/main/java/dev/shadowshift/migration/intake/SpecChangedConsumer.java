package dev.shadowshift.migration.intake;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.flow.MigrationFlow;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.sql.SQLException;

/**
 * spec-changed v2 in, handed to the one flow. A record that is not a valid v2 event (the retired SQL-carrying v1
 * included), or whose changes cannot be planned, throws an InvalidEventException: the connector sends it to
 * spec-changed.dlq with the reason and the consumer carries on.
 */
@ApplicationScoped
public class SpecChangedConsumer {

    private final MigrationFlow flow;

    public SpecChangedConsumer(MigrationFlow flow) {
        this.flow = flow;
    }

    @Incoming(Topics.SPEC_CHANGED)
    @Blocking(ordered = true)
    public void consume(String value) throws SQLException {
        CloudEvent event = EventSchemas.parse(value, EventType.SPEC_CHANGED);
        flow.accept(event.id(), event.dataAs(SpecChanged.class));
    }
}
