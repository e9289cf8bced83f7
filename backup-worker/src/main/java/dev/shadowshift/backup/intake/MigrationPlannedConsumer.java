package dev.shadowshift.backup.intake;

import dev.shadowshift.backup.catalog.BackupCatalog;
import dev.shadowshift.backup.catalog.BackupEntry;
import dev.shadowshift.backup.dump.BackupConfig;
import dev.shadowshift.backup.dump.BackupMaker;
import dev.shadowshift.backup.flow.BackupFlow;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.pg.ProcessedEvents;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.pg.dump.TableName;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * migration-planned -> (requires a backup?) -> the backup flow, on this thread -> backup-completed or backup-failed.
 * The catalog holds one backup per plan, pinned until the plan's rollback window closes: a redelivered plan
 * re-announces what the catalog says without dumping again, or runs the backup again if a stopped worker left it
 * RUNNING. The outcome is announced before the record is done, so a broker that does not take it means a redelivery.
 */
@ApplicationScoped
public class MigrationPlannedConsumer {

    static final String CONSUMER = "backup-worker/migration-planned";
    private static final Logger LOG = Logger.getLogger(MigrationPlannedConsumer.class);

    private final BackupFlow flow;
    private final BackupCatalog catalog;
    private final BackupMaker maker;
    private final TargetDatabases targets;
    private final BackupConfig config;

    public MigrationPlannedConsumer(BackupFlow flow, BackupCatalog catalog, BackupMaker maker, TargetDatabases targets,
                                    BackupConfig config) {
        this.flow = flow;
        this.catalog = catalog;
        this.maker = maker;
        this.targets = targets;
        this.config = config;
    }

    public static String backupIdFor(String planId) {
        return UUID.nameUUIDFromBytes(("backup:" + planId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Incoming(Topics.MIGRATION_PLANNED)
    @Blocking(ordered = true)
    public void consume(String value) throws SQLException, InterruptedException {
        CloudEvent event = EventSchemas.parse(value, EventType.MIGRATION_PLANNED);
        MigrationPlanned plan = event.dataAs(MigrationPlanned.class);
        if (!plan.requiresBackup()) {
            LOG.debugf("plan %s needs no backup", plan.planId());
            return;
        }
        if (plan.backupTables().isEmpty()) {
            throw new InvalidEventException("plan " + plan.planId() + " requires a backup but names no backupTables");
        }
        if (!targets.exists(plan.target())) {
            throw new InvalidEventException("plan " + plan.planId() + " is for target '" + plan.target()
                    + "', which this worker has no configuration for (shadowshift.targets." + plan.target() + ".jdbc-url)");
        }
        List<TableName> tables;
        try {
            tables = plan.backupTables().stream().map(t -> TableName.parse(t, plan.schema())).toList();
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("plan " + plan.planId() + ": " + e.getMessage());
        }

        String backupId = backupIdFor(plan.planId());
        try (Connection c = catalog.connection()) {
            c.setAutoCommit(false);
            ProcessedEvents.firstDelivery(c, CONSUMER, event.id());
            catalog.insertRunning(c, new BackupCatalog.NewBackup(backupId, plan.planId(), plan.target(), BackupEntry.Trigger.PLAN,
                    plan.backupTables(), maker.settings().format().pgName(),
                    OffsetDateTime.now(ZoneOffset.UTC).plus(config.retention().planPinTimeout()), plan.strategy()));
            c.commit();
        }
        BackupEntry entry;
        try (BackupCatalog.Lock lock = catalog.lock(backupId)) {
            entry = catalog.findByPlan(plan.planId())
                    .orElseThrow(() -> new IllegalStateException("backup of plan " + plan.planId() + " vanished"));
            if (entry.status() == BackupEntry.Status.RUNNING) {
                LOG.infof("plan %s: backing up %s (backup %s)", plan.planId(), plan.backupTables(), entry.backupId());
                entry = flow.run(entry, tables);
            } else {
                LOG.infof("plan %s delivered again: backup %s is %s; re-announcing it", plan.planId(), entry.backupId(), entry.status());
            }
        }
        flow.announce(entry);
    }
}
