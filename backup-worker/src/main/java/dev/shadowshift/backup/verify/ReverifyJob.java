package dev.shadowshift.backup.verify;

import dev.shadowshift.backup.flow.BackupFlow;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Restores kept backups into a scratch database again once their last verification is older than
 * {@code shadowshift.backup.reverify-interval}: an archive that rotted on disk is found CORRUPT (and announced on
 * backup-failed) before anyone needs it.
 */
@ApplicationScoped
public class ReverifyJob {

    private static final Logger LOG = Logger.getLogger(ReverifyJob.class);

    private final BackupFlow flow;

    public ReverifyJob(BackupFlow flow) {
        this.flow = flow;
    }

    @Scheduled(every = "${shadowshift.backup.reverify-check-interval:1m}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void due() {
        try {
            flow.reverifyDue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.errorf("re-verification failed: %s; it runs again at the next interval", e.getMessage());
        }
    }
}
