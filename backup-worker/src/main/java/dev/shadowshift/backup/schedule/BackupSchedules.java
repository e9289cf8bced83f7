package dev.shadowshift.backup.schedule;

import dev.shadowshift.backup.flow.BackupFlow;
import dev.shadowshift.pg.TargetsConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.TreeMap;

/**
 * One scheduler job per target that has {@code shadowshift.targets.<name>.backup-cron} (env
 * {@code SHADOWSHIFT_TARGETS_<NAME>_BACKUP_CRON}): a whole-database backup, verified like any other. A cron the
 * scheduler cannot read stops the worker at startup, naming the property.
 */
@ApplicationScoped
public class BackupSchedules {

    private static final Logger LOG = Logger.getLogger(BackupSchedules.class);

    private final Scheduler scheduler;
    private final TargetsConfig targets;
    private final BackupFlow flow;

    public BackupSchedules(Scheduler scheduler, TargetsConfig targets, BackupFlow flow) {
        this.scheduler = scheduler;
        this.targets = targets;
        this.flow = flow;
    }

    void onStart(@Observes StartupEvent event) {
        for (Map.Entry<String, TargetsConfig.Target> t : new TreeMap<>(targets.all()).entrySet()) {
            t.getValue().backupCron().filter(c -> !c.isBlank()).ifPresent(cron -> schedule(t.getKey(), cron.strip()));
        }
    }

    private void schedule(String target, String cron) {
        try {
            scheduler.newJob("backup-" + target)
                    .setCron(cron)
                    .setConcurrentExecution(io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
                    .setTask(execution -> {
                        try {
                            flow.scheduled(target);
                        } catch (Exception e) {
                            LOG.errorf("scheduled backup of target %s could not start: %s", target, e.getMessage());
                        }
                    })
                    .schedule();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("shadowshift.targets." + target + ".backup-cron='" + cron
                    + "' is not a Quartz cron expression with seconds (e.g. '0 0 3 * * ?' for 03:00 every day): " + e.getMessage(), e);
        }
        LOG.infof("target %s is backed up on schedule '%s' (whole database)", target, cron);
    }
}
