package dev.shadowshift.backup.flow;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** At startup, settles what a stopped worker left: see {@link BackupFlow#recover()}. */
@ApplicationScoped
public class Recovery {

    private static final Logger LOG = Logger.getLogger(Recovery.class);

    private final BackupFlow flow;

    public Recovery(BackupFlow flow) {
        this.flow = flow;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            flow.recover();
        } catch (Exception e) {
            LOG.errorf("cannot settle the backups a previous run left RUNNING: %s", e.getMessage());
        }
    }
}
