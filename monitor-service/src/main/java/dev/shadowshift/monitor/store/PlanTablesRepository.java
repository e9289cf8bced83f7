package dev.shadowshift.monitor.store;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

@ApplicationScoped
public class PlanTablesRepository implements PanacheRepositoryBase<PlanTables, String> {

    public Uni<Void> record(String planId, String target, List<String> tables, Instant at) {
        return findById(planId).chain(existing -> {
            PlanTables p = existing == null ? new PlanTables() : existing;
            p.planId = planId;
            p.target = target;
            p.tables = new PlanTables.Names(List.copyOf(tables));
            p.plannedAt = at;
            return existing == null ? persist(p).replaceWithVoid() : Uni.createFrom().voidItem();
        });
    }

    /** The tables of these plans, by plan id (plans never planned here have none). */
    public Uni<Map<String, List<String>>> of(List<String> planIds) {
        if (planIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return list("planId IN ?1", planIds).map(l -> l.stream().collect(Collectors.toMap(p -> p.planId, PlanTables::names)));
    }
}
