package dev.shadowshift.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Redelivery guard. Each service records the ids of the events it has acted on in its own
 * {@code processed_events(consumer, event_id)} table, inside the transaction that records the effect, so an
 * event is acted on once however often Kafka delivers it.
 */
public final class ProcessedEvents {

    private ProcessedEvents() {
    }

    /** @return true the first time this consumer sees this event id, false on every redelivery */
    public static boolean firstDelivery(Connection connection, String consumer, String eventId) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO processed_events(consumer, event_id) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, consumer);
            insert.setString(2, eventId);
            return insert.executeUpdate() == 1;
        }
    }
}
