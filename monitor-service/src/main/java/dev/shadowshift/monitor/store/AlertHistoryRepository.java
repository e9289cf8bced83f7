package dev.shadowshift.monitor.store;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Map;

@ApplicationScoped
public class AlertHistoryRepository implements PanacheRepositoryBase<AlertEpisode, Long> {

    public Uni<Void> open(String fingerprint, String series, String alertname, String target, String severity,
                          Map<String, String> labels, Map<String, String> annotations, Instant startsAt) {
        AlertEpisode e = new AlertEpisode();
        e.fingerprint = fingerprint;
        e.series = series;
        e.alertname = alertname;
        e.target = target;
        e.severity = severity;
        e.labels = labels;
        e.annotations = annotations;
        e.startsAt = startsAt;
        return persist(e).replaceWithVoid();
    }

    public Uni<Void> close(String fingerprint, Map<String, String> annotations, Instant endsAt) {
        return find("fingerprint = ?1 AND endsAt IS NULL", fingerprint).firstResult().chain(e -> {
            if (e == null) {
                return Uni.createFrom().voidItem();
            }
            e.endsAt = endsAt;
            if (annotations != null && !annotations.isEmpty()) {
                e.annotations = annotations;
            }
            return Uni.createFrom().voidItem();
        });
    }

    /** Most recently changed first: open episodes by their start, closed ones by their end. */
    public Uni<List<AlertEpisode>> recent(int limit) {
        return find("ORDER BY coalesce(endsAt, startsAt) DESC, id DESC").page(Page.ofSize(limit)).list();
    }
}
