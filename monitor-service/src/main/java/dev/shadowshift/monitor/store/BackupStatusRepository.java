package dev.shadowshift.monitor.store;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/** Keeps the newest of each kind per target; an older event (a replay) changes nothing. */
@ApplicationScoped
public class BackupStatusRepository implements PanacheRepositoryBase<BackupStatus, String> {

    public Uni<Void> completed(String target, Instant at) {
        return status(target).invoke(s -> {
            if (s.lastCompletedAt == null || !at.isBefore(s.lastCompletedAt)) {
                s.lastCompletedAt = at;
            }
        }).replaceWithVoid();
    }

    public Uni<Void> failed(String target, String reason, Instant at) {
        return status(target).invoke(s -> {
            if (s.lastFailedAt == null || !at.isBefore(s.lastFailedAt)) {
                s.lastFailedAt = at;
                s.lastFailedReason = reason;
            }
        }).replaceWithVoid();
    }

    private Uni<BackupStatus> status(String target) {
        return findById(target).chain(s -> {
            if (s != null) {
                return Uni.createFrom().item(s);
            }
            BackupStatus fresh = new BackupStatus();
            fresh.target = target;
            return persist(fresh);
        });
    }
}
