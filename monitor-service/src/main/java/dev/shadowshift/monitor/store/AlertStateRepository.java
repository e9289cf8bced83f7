package dev.shadowshift.monitor.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

@ApplicationScoped
public class AlertStateRepository implements PanacheRepositoryBase<AlertStateEntity, String> {

    public Uni<List<AlertStateEntity>> forTarget(String target) {
        return list("target", target);
    }

    /** Pending and firing series of every target, firing first, most severe first. */
    public Uni<List<AlertStateEntity>> live() {
        return list("FROM AlertStateEntity WHERE firing IS NOT NULL OR infoSince IS NOT NULL "
                + "ORDER BY CASE firing WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 WHEN 'info' THEN 2 ELSE 3 END, "
                + "firedAt, target, alertname");
    }

    /**
     * Serialises the evaluation of one target across monitor instances and overlapping polls, until the transaction
     * ends: the second one sees the first one's result instead of firing the same alert again.
     */
    public Uni<Void> lockTarget(String target) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext('shadowshift-monitor/' || ?1))) l", Long.class)
                .setParameter(1, target).getSingleResult()).replaceWithVoid();
    }
}
