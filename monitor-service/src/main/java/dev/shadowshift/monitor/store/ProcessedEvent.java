package dev.shadowshift.monitor.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** The redelivery guard's table (as dev.shadowshift.pg.ProcessedEvents keeps it for the JDBC services). */
@Entity
@Table(name = "processed_events")
public class ProcessedEvent extends PanacheEntityBase {

    @Embeddable
    public static class Key implements Serializable {
        public String consumer;
        @Column(name = "event_id")
        public String eventId;

        public Key() {
        }

        public Key(String consumer, String eventId) {
            this.consumer = consumer;
            this.eventId = eventId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.consumer.equals(consumer) && k.eventId.equals(eventId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(consumer, eventId);
        }
    }

    @EmbeddedId
    public Key id;
    @Column(name = "processed_at")
    public Instant processedAt;
}
