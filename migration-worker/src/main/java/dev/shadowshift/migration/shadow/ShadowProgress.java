package dev.shadowshift.migration.shadow;

import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.events.ProgressStatus;
import dev.shadowshift.migration.support.Announcements;
import org.jboss.logging.Logger;

/**
 * The progress reporter of one shadow rebuild: each line goes to the log and, as a RUNNING migration-progress
 * event with the phase it is about, to whoever listens (Kafka, or the CLI's progress bar).
 */
final class ShadowProgress {

    private static final Logger LOG = Logger.getLogger(ShadowProgress.class);

    private final Announcements announcements;
    private final ShadowEngine.Progress at;

    ShadowProgress(Announcements announcements, ShadowEngine.Progress at) {
        this.announcements = announcements;
        this.at = at;
    }

    void say(String phase, String message) {
        rows(phase, message, null, null, null, null);
    }

    void rows(String phase, String message, Long copied, Long total, Double rate, Long eta) {
        if (at == null) {
            LOG.info(message);
            return;
        }
        LOG.infof("plan %s: %s", at.plan().planId(), message);
        announcements.progress(new MigrationProgress(at.plan().planId(), at.plan().plan().target(), ProgressStatus.RUNNING.name(),
                phase, at.stepsDone(), at.stepsTotal(), message, copied, total, rate, eta));
    }
}
