package dev.shadowshift.monitor.store;

import dev.shadowshift.monitor.alerting.Silence;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class SilenceRepository implements PanacheRepositoryBase<SilenceEntity, UUID> {

    /** Silences that have not ended yet (active now or starting later), soonest end first. */
    public Uni<List<Silence>> notEnded(Instant now) {
        return list("endsAt > ?1 ORDER BY endsAt", now).map(l -> l.stream().map(SilenceEntity::toSilence).toList());
    }

    public Uni<List<Silence>> all() {
        return list("ORDER BY endsAt DESC").map(l -> l.stream().map(SilenceEntity::toSilence).toList());
    }

    /** Ends a silence now (Alertmanager "expires" them rather than deleting them). @return false when there is none */
    public Uni<Boolean> expire(UUID id, Instant now) {
        return findById(id).map(e -> {
            if (e == null) {
                return false;
            }
            if (e.endsAt.isAfter(now)) {
                e.endsAt = now.isAfter(e.startsAt) ? now : e.startsAt.plusMillis(1);
            }
            return true;
        });
    }
}
