package dev.shadowshift.monitor.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The redelivery guard of dev.shadowshift.pg.ProcessedEvents, on the reactive session: inside the transaction that
 * records an event's effect, it says whether this consumer sees the event for the first time.
 */
@ApplicationScoped
public class ProcessedEventRepository implements PanacheRepositoryBase<ProcessedEvent, ProcessedEvent.Key> {

    public Uni<Boolean> firstDelivery(String consumer, String eventId) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "INSERT INTO processed_events(consumer, event_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
                .setParameter(1, consumer).setParameter(2, eventId).executeUpdate()).map(n -> n == 1);
    }
}
