package dev.shadowshift.migration.intake;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.execution.MigrationRunner;
import dev.shadowshift.migration.messaging.EventPublisher;
import dev.shadowshift.migration.plan.MigrationPlanner;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.pg.ProcessedEvents;
import dev.shadowshift.pg.TargetDatabases;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/**
 * spec-changed -> plan -> store -> migration-planned -> run now when nothing stands in the way.
 * A redelivered spec-changed finds the plan it made (the plan id derives from the event id) and re-announces it.
 */
@ApplicationScoped
public class SpecChangedConsumer {

    static final String CONSUMER = "migration-worker/spec-changed";
    private static final Logger LOG = Logger.getLogger(SpecChangedConsumer.class);

    private final PlanStore store;
    private final RowEstimates rowEstimates;
    private final TargetDatabases targets;
    private final EventPublisher publisher;
    private final MigrationRunner runner;

    public SpecChangedConsumer(PlanStore store, RowEstimates rowEstimates, TargetDatabases targets,
                               EventPublisher publisher, MigrationRunner runner) {
        this.store = store;
        this.rowEstimates = rowEstimates;
        this.targets = targets;
        this.publisher = publisher;
        this.runner = runner;
    }

    @Incoming(Topics.SPEC_CHANGED)
    @Blocking(ordered = true)
    public void consume(String value) throws SQLException {
        CloudEvent event = EventSchemas.parse(value, EventType.SPEC_CHANGED);
        SpecChanged spec = event.dataAs(SpecChanged.class);
        if (!targets.exists(spec.target())) {
            throw new InvalidEventException("spec-changed " + event.id() + " names target '" + spec.target()
                    + "', which this worker has no configuration for (shadowshift.targets." + spec.target() + ".jdbc-url)");
        }
        String planId = MigrationPlanner.planIdFor(event.id());

        Optional<StoredPlan> existing = store.find(planId);
        if (existing.isEmpty()) {
            Map<String, Long> rows = rowEstimates.read(spec.target(), spec.schema(), MigrationPlanner.touchedTables(spec));
            MigrationPlanner.Planned planned = MigrationPlanner.planWithRebuilds(planId, spec, rows);
            MigrationPlanned plan = planned.plan();
            try (Connection c = store.connection()) {
                c.setAutoCommit(false);
                if (ProcessedEvents.firstDelivery(c, CONSUMER, event.id())) {
                    store.insert(c, event.id(), plan, planned.rebuilds());
                }
                c.commit();
            }
            LOG.infof("plan %s for %s v%d on %s/%s: %s, %s risk, %d steps, %d pending, backup %s",
                    planId, spec.subject(), spec.version(), spec.target(), spec.schema(), plan.status(), plan.risk(),
                    plan.steps().size(), plan.pending().size(), plan.requiresBackup() ? plan.backupTables() : "not needed");
            existing = store.find(planId);
        } else {
            LOG.infof("spec-changed %s delivered again: re-announcing plan %s (%s)", event.id(), planId, existing.get().status());
        }
        StoredPlan stored = existing.orElseThrow(() -> new IllegalStateException("plan " + planId + " vanished"));
        publisher.planned(stored.plan());
        if (stored.status().equals("READY") || stored.status().equals("RUNNING")) {
            runner.submit(planId);
        }
    }
}
