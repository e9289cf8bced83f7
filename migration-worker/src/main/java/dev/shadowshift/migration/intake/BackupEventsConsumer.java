package dev.shadowshift.migration.intake;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.migration.execution.MigrationRunner;
import dev.shadowshift.migration.messaging.EventPublisher;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.pg.ProcessedEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * backup-completed releases a plan that waits for its backup; backup-failed fails it, and a CORRUPT one also takes
 * the backup back from a plan that already holds it, so the shadow path's gate will not cut over on it. Events about
 * plans this worker does not know (another environment's, or long gone) are logged and skipped: they are not
 * malformed. Backups made for no plan (on request, on schedule: planId null) open no gate and are skipped.
 */
@ApplicationScoped
public class BackupEventsConsumer {

    static final String CONSUMER = "migration-worker/backups";
    private static final Logger LOG = Logger.getLogger(BackupEventsConsumer.class);

    private final PlanStore store;
    private final EventPublisher publisher;
    private final MigrationRunner runner;

    public BackupEventsConsumer(PlanStore store, EventPublisher publisher, MigrationRunner runner) {
        this.store = store;
        this.publisher = publisher;
        this.runner = runner;
    }

    @Incoming(Topics.BACKUP_COMPLETED)
    @Blocking(ordered = true)
    public void completed(String value) throws SQLException {
        CloudEvent event = EventSchemas.parse(value, EventType.BACKUP_COMPLETED);
        BackupCompleted backup = event.dataAs(BackupCompleted.class);
        if (backup.planId() == null) {
            return;
        }
        String failure = null;
        MigrationPlanned plan;
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            Optional<StoredPlan> found = waitingPlan(c, event, backup.planId());
            if (found.isEmpty()) {
                c.commit();
                return;
            }
            plan = found.get().plan();
            if (found.get().status().equals("AWAITING_APPROVAL")) {
                if (backup.verified() && plan.target().equals(backup.target())
                        && backup.tables().containsAll(plan.backupTables())) {
                    store.recordBackupWhileAwaitingApproval(c, plan.planId(), backup.backupId());
                    LOG.infof("plan %s: backup %s recorded; the plan still waits for approval", plan.planId(), backup.backupId());
                }
                c.commit();
                return;
            }
            List<String> missing = plan.backupTables().stream().filter(t -> !backup.tables().contains(t)).toList();
            if (!backup.verified()) {
                failure = "backup " + backup.backupId() + " is not verified";
            } else if (!plan.target().equals(backup.target())) {
                failure = "backup " + backup.backupId() + " is of target '" + backup.target() + "', the plan changes '"
                        + plan.target() + "'";
            } else if (!missing.isEmpty()) {
                failure = "backup " + backup.backupId() + " does not cover " + missing;
            }
            if (failure == null) {
                store.markBackedUp(c, plan.planId(), backup.backupId());
            } else {
                store.markFailed(c, plan.planId(), List.of("AWAITING_BACKUP"), failure);
            }
            c.commit();
        }
        if (failure != null) {
            LOG.errorf("plan %s failed: %s", plan.planId(), failure);
            publisher.progress(failedProgress(plan, failure));
            return;
        }
        LOG.infof("plan %s: backup %s (%s) verified; applying", plan.planId(), backup.backupId(), backup.location());
        runner.submit(plan.planId());
    }

    @Incoming(Topics.BACKUP_FAILED)
    @Blocking(ordered = true)
    public void failed(String value) throws SQLException {
        CloudEvent event = EventSchemas.parse(value, EventType.BACKUP_FAILED);
        BackupFailed backup = event.dataAs(BackupFailed.class);
        if (backup.planId() == null) {
            return;
        }
        String reason = backup.corrupt() ? "backup " + backup.backupId() + " is CORRUPT: " + backup.reason() : "backup failed: " + backup.reason();
        MigrationPlanned plan;
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            boolean revoked = backup.corrupt() && backup.backupId() != null && store.revokeBackup(c, backup.planId(), backup.backupId());
            Optional<StoredPlan> found = revoked ? store.find(c, backup.planId(), true) : waitingPlan(c, event, backup.planId());
            if (found.isEmpty() || !store.markFailed(c, backup.planId(), List.of("AWAITING_BACKUP", "AWAITING_APPROVAL", "READY"), reason)) {
                c.commit();
                if (revoked) {
                    LOG.errorf("plan %s: %s; the plan no longer holds a verified backup and will not cut over", backup.planId(), reason);
                }
                return;
            }
            plan = found.get().plan();
            c.commit();
        }
        LOG.errorf("plan %s failed: %s", plan.planId(), reason);
        publisher.progress(failedProgress(plan, reason));
    }

    /** The plan, locked, if this is the first delivery and the plan is waiting for its backup; otherwise logs why not. */
    private Optional<StoredPlan> waitingPlan(Connection c, CloudEvent event, String planId) throws SQLException {
        if (!ProcessedEvents.firstDelivery(c, CONSUMER, event.id())) {
            LOG.infof("%s %s delivered again; already handled", event.type(), event.id());
            return Optional.empty();
        }
        Optional<StoredPlan> plan = store.find(c, planId, true);
        if (plan.isEmpty()) {
            LOG.warnf("%s %s is about plan %s, which this worker does not know; ignored", event.type(), event.id(), planId);
            return Optional.empty();
        }
        if (!List.of("AWAITING_BACKUP", "AWAITING_APPROVAL").contains(plan.get().status())) {
            LOG.infof("%s %s for plan %s ignored: the plan is %s, not waiting for a backup", event.type(), event.id(),
                    planId, plan.get().status());
            return Optional.empty();
        }
        return plan;
    }

    private static MigrationProgress failedProgress(MigrationPlanned plan, String reason) {
        return new MigrationProgress(plan.planId(), plan.target(), "FAILED", "PREPARATION", 0, plan.steps().size(),
                reason, null, null, null, null);
    }
}
