package dev.shadowshift.monitor.store;

import dev.shadowshift.contracts.events.MigrationProgress;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class MigrationProgressRepository implements PanacheRepositoryBase<MigrationProgressEntity, String> {

    /**
     * Keeps the event if it is newer than what the plan has (events of one plan share a key and so a partition, but
     * a replay or a producer's retry may still bring an older one).
     */
    public Uni<Void> record(String eventId, Instant eventTime, MigrationProgress p, Instant now) {
        return findById(p.planId()).chain(e -> {
            if (e != null && e.eventTime.isAfter(eventTime)) {
                return Uni.createFrom().voidItem();
            }
            MigrationProgressEntity m = e == null ? new MigrationProgressEntity() : e;
            m.planId = p.planId();
            m.target = p.target();
            m.status = p.status();
            m.phase = p.phase();
            m.stepsDone = p.stepsDone();
            m.stepsTotal = p.stepsTotal();
            m.message = p.message();
            m.rowsCopied = p.rowsCopied();
            m.rowsTotal = p.rowsTotal();
            m.rowsPerSecond = p.rowsPerSecond();
            m.etaSeconds = p.etaSeconds();
            m.eventId = eventId;
            m.eventTime = eventTime;
            m.receivedAt = now;
            return e == null ? persist(m).replaceWithVoid() : Uni.createFrom().voidItem();
        });
    }

    public Uni<List<MigrationProgressEntity>> running(String target) {
        return list("target = ?1 AND status IN ('STARTED', 'RUNNING') ORDER BY eventTime", target);
    }

    /** Most recently updated plans first. */
    public Uni<List<MigrationProgressEntity>> latest(int limit) {
        return find("ORDER BY eventTime DESC").page(0, limit).list();
    }
}
