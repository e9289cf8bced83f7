package dev.shadowshift.backup.retention;

import dev.shadowshift.backup.catalog.BackupCatalog;
import dev.shadowshift.backup.catalog.BackupEntry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Deletes the files of backups past their retention and marks their catalog rows EXPIRED. */
@ApplicationScoped
public class RetentionJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);

    private final BackupCatalog catalog;

    public RetentionJob(BackupCatalog catalog) {
        this.catalog = catalog;
    }

    @Scheduled(every = "${shadowshift.backup.retention-check-interval:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expire() {
        try {
            int expired = expireUntil(OffsetDateTime.now(ZoneOffset.UTC));
            if (expired > 0) {
                LOG.infof("retention: %d backup(s) expired", expired);
            }
        } catch (Exception e) {
            LOG.errorf(e, "retention run failed; it runs again at the next interval");
        }
    }

    /** @return how many backups expired */
    public int expireUntil(OffsetDateTime now) throws Exception {
        int count = 0;
        for (BackupEntry entry : catalog.expired(now)) {
            try {
                if (entry.location() != null) {
                    Files.deleteIfExists(Path.of(entry.location()));
                }
                catalog.markExpired(entry.backupId());
                LOG.infof("backup %s of plan %s expired (kept until %s); deleted %s", entry.backupId(), entry.planId(),
                        entry.expiresAt(), entry.location());
                count++;
            } catch (IOException e) {
                LOG.errorf("cannot delete %s of expired backup %s: %s; the row stays VERIFIED and is retried",
                        entry.location(), entry.backupId(), e.getMessage());
            }
        }
        return count;
    }
}
