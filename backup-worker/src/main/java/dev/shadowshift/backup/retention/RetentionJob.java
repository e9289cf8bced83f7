package dev.shadowshift.backup.retention;

import dev.shadowshift.backup.catalog.BackupCatalog;
import dev.shadowshift.backup.catalog.BackupEntry;
import dev.shadowshift.backup.dump.BackupConfig;
import dev.shadowshift.backup.metrics.BackupMetrics;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.pg.dump.ArchiveStorage;
import dev.shadowshift.pg.dump.StorageException;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Applies {@link RetentionPolicy} to each target's archives: removes the archive, then marks the backup EXPIRED. */
@ApplicationScoped
public class RetentionJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);

    private final BackupCatalog catalog;
    private final ArchiveStorage storage;
    private final TargetDatabases targets;
    private final BackupMetrics metrics;
    private final RetentionPolicy.Settings settings;

    public RetentionJob(BackupCatalog catalog, ArchiveStorage storage, TargetDatabases targets, BackupMetrics metrics, BackupConfig config) {
        this.catalog = catalog;
        this.storage = storage;
        this.targets = targets;
        this.metrics = metrics;
        try {
            this.settings = new RetentionPolicy.Settings(config.retention().keepLast(), config.retention().maxAge(),
                    config.retention().minVerified());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("shadowshift.backup.retention: " + e.getMessage(), e);
        }
    }

    @Scheduled(every = "${shadowshift.backup.retention-check-interval:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void everyInterval() {
        for (String target : targets.names()) {
            apply(target, OffsetDateTime.now(ZoneOffset.UTC));
        }
    }

    /** @return the ids of the backups removed; a failure is logged and retried at the next run */
    public synchronized List<String> apply(String target, OffsetDateTime now) {
        try {
            List<BackupEntry> archives = catalog.archives(target);
            Map<String, BackupEntry> byId = archives.stream().collect(Collectors.toMap(BackupEntry::backupId, Function.identity()));
            List<RetentionPolicy.Decision> decisions = RetentionPolicy.decide(archives.stream()
                    .map(b -> new RetentionPolicy.Candidate(b.backupId(), b.createdAt().toInstant(),
                            b.status() == BackupEntry.Status.VERIFIED, b.pinnedAt(now))).toList(), settings, now.toInstant());
            List<String> removed = new java.util.ArrayList<>();
            for (RetentionPolicy.Decision d : decisions) {
                if (d.remove() && remove(byId.get(d.backupId()), d.why())) {
                    removed.add(d.backupId());
                }
            }
            if (!removed.isEmpty()) {
                metrics.refresh(target);
            }
            return removed;
        } catch (SQLException e) {
            LOG.errorf("retention of target %s failed: %s; it runs again at the next interval", target, e.getMessage());
            return List.of();
        }
    }

    private boolean remove(BackupEntry b, String why) throws SQLException {
        Optional<BackupCatalog.Lock> lock = catalog.tryLock(b.backupId());
        if (lock.isEmpty()) {
            LOG.infof("retention: backup %s is being verified; it is looked at again next time", b.backupId());
            return false;
        }
        try (BackupCatalog.Lock held = lock.get()) {
            storage.delete(b.location());
            boolean expired = catalog.markExpired(b.backupId(), "removed by retention: " + why);
            LOG.infof("retention: backup %s of target %s (%s, %s, made %s) removed: %s; deleted %s", b.backupId(), b.target(),
                    b.trigger(), b.status(), b.createdAt(), why, b.location());
            return expired;
        } catch (StorageException e) {
            LOG.errorf("retention: cannot delete %s of backup %s: %s; it stays and is retried", b.location(), b.backupId(), e.getMessage());
            return false;
        }
    }
}
