package dev.shadowshift.backup.intake;

import dev.shadowshift.pg.dump.TableDump;
import dev.shadowshift.pg.dump.TableName;
import dev.shadowshift.backup.catalog.BackupCatalog;
import dev.shadowshift.backup.catalog.BackupEntry;
import dev.shadowshift.backup.dump.BackupConfig;
import dev.shadowshift.backup.dump.BackupMaker;
import dev.shadowshift.backup.messaging.EventPublisher;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.pg.ProcessedEvents;
import dev.shadowshift.pg.TargetDatabases;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * migration-planned -> (requires a backup?) -> pg_dump + verify -> catalog -> backup-completed or backup-failed.
 * The catalog holds one backup per plan: a redelivered plan re-announces what the catalog says, without dumping again.
 */
@ApplicationScoped
public class MigrationPlannedConsumer {

    static final String CONSUMER = "backup-worker/migration-planned";
    private static final Logger LOG = Logger.getLogger(MigrationPlannedConsumer.class);

    private final BackupMaker maker;
    private final BackupCatalog catalog;
    private final EventPublisher publisher;
    private final TargetDatabases targets;
    private final BackupConfig config;

    public MigrationPlannedConsumer(BackupMaker maker, BackupCatalog catalog, EventPublisher publisher,
                                    TargetDatabases targets, BackupConfig config) {
        this.maker = maker;
        this.catalog = catalog;
        this.publisher = publisher;
        this.targets = targets;
        this.config = config;
    }

    public static String backupIdFor(String planId) {
        return UUID.nameUUIDFromBytes(("backup:" + planId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Incoming(Topics.MIGRATION_PLANNED)
    @Blocking(ordered = true)
    public void consume(String value) throws SQLException, IOException, InterruptedException {
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

        Optional<BackupEntry> existing = catalog.findByPlan(plan.planId());
        if (existing.isEmpty()) {
            String backupId = backupIdFor(plan.planId());
            TableDump.Outcome outcome = maker.make(backupId, plan.target(), tables);
            BackupEntry entry = entry(backupId, plan, outcome);
            try (Connection c = catalog.connection()) {
                c.setAutoCommit(false);
                ProcessedEvents.firstDelivery(c, CONSUMER, event.id());
                catalog.insert(c, entry);
                c.commit();
            }
            if (entry.status().equals("VERIFIED")) {
                LOG.infof("backup %s of plan %s verified: %s, %d bytes, %d archive entries, sha256 %s, kept until %s",
                        backupId, plan.planId(), entry.location(), entry.sizeBytes(), entry.archiveEntries(), entry.sha256(),
                        entry.expiresAt());
            } else {
                LOG.errorf("backup %s of plan %s failed: %s", backupId, plan.planId(), entry.reason());
            }
            existing = catalog.findByPlan(plan.planId());
        } else {
            LOG.infof("plan %s delivered again: backup %s is %s; re-announcing it", plan.planId(),
                    existing.get().backupId(), existing.get().status());
        }
        announce(existing.orElseThrow(() -> new IllegalStateException("backup of plan " + plan.planId() + " vanished")));
    }

    private BackupEntry entry(String backupId, MigrationPlanned plan, TableDump.Outcome outcome) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
        List<String> names = plan.backupTables();
        if (!outcome.verified()) {
            return new BackupEntry(backupId, plan.planId(), plan.target(), names, null, "custom", null, null, null,
                    "FAILED", outcome.reason(), now, null, null);
        }
        return new BackupEntry(backupId, plan.planId(), plan.target(), names, outcome.file().toString(), "custom",
                outcome.sizeBytes(), outcome.sha256(), outcome.archiveEntries(), "VERIFIED", null, now, now,
                now.plus(config.retention()));
    }

    private void announce(BackupEntry entry) {
        switch (entry.status()) {
            case "VERIFIED" -> publisher.completed(new BackupCompleted(entry.planId(), entry.backupId(), entry.target(),
                    entry.tables(), entry.format(), entry.location(), entry.sizeBytes(), entry.sha256(),
                    entry.archiveEntries(), true, entry.expiresAt().toInstant().toString()));
            case "FAILED" -> publisher.failed(entry.backupId(),
                    new BackupFailed(entry.planId(), entry.target(), entry.tables(), entry.reason()));
            // an expired backup's file is gone: announcing it as usable would be a lie, and the plan ran long ago
            default -> LOG.warnf("backup %s of plan %s is %s; not re-announced", entry.backupId(), entry.planId(), entry.status());
        }
    }
}
