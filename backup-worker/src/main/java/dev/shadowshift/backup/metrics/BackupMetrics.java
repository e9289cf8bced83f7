package dev.shadowshift.backup.metrics;

import dev.shadowshift.backup.catalog.BackupCatalog;
import dev.shadowshift.backup.catalog.BackupEntry;
import dev.shadowshift.pg.TargetDatabases;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What /q/metrics says about backups, per target:
 * <ul>
 *   <li>{@code shadowshift_backup_last_verified_timestamp_seconds}: when a verification of a kept backup last
 *       succeeded (0 while the target has no verified backup, so that "too old" also catches "none")</li>
 *   <li>{@code shadowshift_backup_duration_seconds{phase="dump"|"verify"}}, {@code shadowshift_backup_size_bytes}</li>
 *   <li>{@code shadowshift_backup_failures_total{status="FAILED"|"CORRUPT"}}</li>
 *   <li>{@code shadowshift_backups{status}}: the catalog's backups in each status</li>
 * </ul>
 */
@ApplicationScoped
public class BackupMetrics {

    private static final Logger LOG = Logger.getLogger(BackupMetrics.class);

    private final MeterRegistry registry;
    private final BackupCatalog catalog;
    private final Map<String, AtomicLong> lastVerified = new ConcurrentHashMap<>();
    private final Map<String, Map<BackupEntry.Status, AtomicLong>> counts = new ConcurrentHashMap<>();

    public BackupMetrics(MeterRegistry registry, BackupCatalog catalog, TargetDatabases targets) {
        this.registry = registry;
        this.catalog = catalog;
        for (String target : targets.names()) {
            gauges(target);
        }
    }

    public void dumped(String target, BackupEntry.Trigger trigger, Duration took, long sizeBytes) {
        timer(target, trigger, "dump").record(took);
        DistributionSummary.builder("shadowshift.backup.size").baseUnit("bytes").description("Size of each archive made")
                .tag("target", target).register(registry).record(sizeBytes);
    }

    public void verified(String target, BackupEntry.Trigger trigger, Duration took) {
        timer(target, trigger, "verify").record(took);
    }

    public void failed(String target, BackupEntry.Trigger trigger, BackupEntry.Status status) {
        Counter.builder("shadowshift.backup.failures").description("Backups that could not be made or verified (FAILED), or that a verification found CORRUPT")
                .tag("target", target).tag("status", status.name()).tag("trigger", trigger.name()).register(registry).increment();
    }

    /** Reads the target's state from the catalog; called after every change of it. */
    public void refresh(String target) {
        try {
            BackupCatalog.TargetStats stats = catalog.stats(target);
            gauges(target);
            lastVerified.get(target).set(stats.lastVerified() == null ? 0 : stats.lastVerified().toEpochSecond());
            stats.counts().forEach((status, n) -> counts.get(target).get(status).set(n));
        } catch (Exception e) {
            LOG.warnf("cannot refresh the backup metrics of target %s: %s", target, e.getMessage());
        }
    }

    private void gauges(String target) {
        lastVerified.computeIfAbsent(target, t -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("shadowshift.backup.last.verified.timestamp.seconds", value, AtomicLong::get)
                    .description("When a verification (a restore into a scratch database) of a kept backup of the target last succeeded, "
                            + "in seconds since the epoch; 0 while there is none")
                    .tag("target", t).register(registry);
            return value;
        });
        counts.computeIfAbsent(target, t -> {
            Map<BackupEntry.Status, AtomicLong> byStatus = new EnumMap<>(BackupEntry.Status.class);
            for (BackupEntry.Status status : BackupEntry.Status.values()) {
                AtomicLong value = new AtomicLong();
                Gauge.builder("shadowshift.backups", value, AtomicLong::get).description("Backups in the catalog, by status")
                        .tag("target", t).tag("status", status.name()).register(registry);
                byStatus.put(status, value);
            }
            return byStatus;
        });
    }

    private Timer timer(String target, BackupEntry.Trigger trigger, String phase) {
        return Timer.builder("shadowshift.backup.duration").description("Time to make (dump) and to verify (restore and count) a backup")
                .tag("target", target).tag("trigger", trigger.name()).tag("phase", phase).register(registry);
    }
}
