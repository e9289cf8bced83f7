package dev.shadowshift.backup.pins;

import dev.shadowshift.backup.catalog.BackupCatalog;
import dev.shadowshift.backup.catalog.BackupEntry;
import dev.shadowshift.backup.dump.BackupConfig;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.MigrationProgress;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * migration-progress -> the pin on the plan's backup: released when the plan's rollback window closed, otherwise
 * held open for another {@code plan-pin-timeout} from the event. Releasing and extending are idempotent, so a
 * redelivered event changes nothing more.
 */
@ApplicationScoped
public class MigrationProgressConsumer {

    private static final Logger LOG = Logger.getLogger(MigrationProgressConsumer.class);

    private final BackupCatalog catalog;
    private final BackupConfig config;

    public MigrationProgressConsumer(BackupCatalog catalog, BackupConfig config) {
        this.catalog = catalog;
        this.config = config;
    }

    @Incoming(Topics.MIGRATION_PROGRESS)
    @Blocking(ordered = true)
    public void consume(String value) throws SQLException {
        CloudEvent event = EventSchemas.parse(value, EventType.MIGRATION_PROGRESS);
        MigrationProgress progress = event.dataAs(MigrationProgress.class);
        Optional<BackupEntry> backup = catalog.findByPlan(progress.planId());
        if (backup.isEmpty() || backup.get().planPinnedUntil() == null) {
            return;
        }
        switch (PlanPins.after(progress.status(), progress.phase(), backup.get().planStrategy())) {
            case RELEASE -> {
                if (catalog.releasePlanPin(progress.planId())) {
                    LOG.infof("plan %s is %s (%s): its rollback window closed, so backup %s is no longer pinned for it",
                            progress.planId(), progress.status(), progress.phase(), backup.get().backupId());
                }
            }
            case EXTEND -> catalog.extendPlanPin(progress.planId(), time(event).plus(config.retention().planPinTimeout()));
        }
    }

    /** When the event happened, never later than now: a clock ahead must not stretch the pin. */
    private static OffsetDateTime time(CloudEvent event) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try {
            OffsetDateTime at = event.time() == null ? now : OffsetDateTime.parse(event.time());
            return at.isAfter(now) ? now : at;
        } catch (DateTimeParseException e) {
            return now;
        }
    }
}
