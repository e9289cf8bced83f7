package dev.shadowshift.backup.dump;

import dev.shadowshift.pg.dump.ProcessRunner;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;

/**
 * Says at startup which pg_dump and pg_restore this worker will run. pg_dump refuses servers of a newer major
 * version ("server version mismatch"), so the on-call engineer should see the client version next to the failure.
 */
@ApplicationScoped
public class ToolCheck {

    private static final Logger LOG = Logger.getLogger(ToolCheck.class);

    private final BackupConfig config;

    public ToolCheck(BackupConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        for (String tool : List.of(config.pgDump(), config.pgRestore())) {
            try {
                ProcessRunner.Result result = ProcessRunner.run(List.of(tool, "--version"), java.util.Map.of(), Duration.ofSeconds(10));
                if (result.ok()) {
                    LOG.infof("using %s (%s); it must be at least the target server's major version", tool, result.stdout().strip());
                } else {
                    LOG.errorf("%s --version failed: %s; backups will fail", tool, result.firstErrorLine());
                }
            } catch (Exception e) {
                LOG.errorf("cannot run %s: %s; backups will fail until it is on PATH or shadowshift.backup.%s points to it",
                        tool, e.getMessage(), tool.equals(config.pgDump()) ? "pg-dump" : "pg-restore");
            }
        }
    }
}
