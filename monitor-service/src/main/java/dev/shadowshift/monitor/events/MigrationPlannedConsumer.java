package dev.shadowshift.monitor.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.monitor.store.PlanTablesRepository;
import dev.shadowshift.monitor.store.ProcessedEventRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Consumes migration-planned -> the tables each plan touches, for the dashboard and for watching them while the plan
 *  runs. Only the plan id, the target and the tables are read (the steps' {@code schema}.{@code table} and {@code backupTables}):
 * the rest of the plan is migration-worker's. Invalid records go to migration-planned.dlq.
 */
@ApplicationScoped
public class MigrationPlannedConsumer {

    static final String CONSUMER = "monitor-service/migration-planned";

    private final PlanTablesRepository plans;
    private final ProcessedEventRepository processed;

    public MigrationPlannedConsumer(PlanTablesRepository plans, ProcessedEventRepository processed) {
        this.plans = plans;
        this.processed = processed;
    }

    @Incoming("migration-planned")
    public Uni<Void> consume(String value) {
        CloudEvent event = EventSchemas.parse(value, EventType.MIGRATION_PLANNED);
        JsonNode data = event.data();
        Set<String> tables = new LinkedHashSet<>();
        data.path("steps").forEach(step -> {
            if (step.path("table").isTextual()) {
                tables.add(step.path("schema").asText() + "." + step.path("table").asText());
            }
        });
        data.path("backupTables").forEach(t -> tables.add(t.asText()));
        String planId = data.path("planId").asText();
        String target = data.path("target").asText();
        return Panache.withTransaction(() -> processed.firstDelivery(CONSUMER, event.id())
                .chain(first -> first ? plans.record(planId, target, List.copyOf(tables), EventTimes.of(event))
                        : Uni.createFrom().voidItem()));
    }
}
