package dev.shadowshift.migration.execution;

import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.store.PlanStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs plans one at a time on a single thread: DDL against a target is serialised, and the Kafka consumers are
 * never blocked by a long migration. At startup it picks up plans a previous process left READY or RUNNING.
 */
@ApplicationScoped
public class MigrationRunner {

    private static final Logger LOG = Logger.getLogger(MigrationRunner.class);
    private static final long RETRY_AFTER_SECONDS = 30;

    private final PlanExecution execution;
    private final PlanStore store;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "migration-runner");
        t.setDaemon(true);
        return t;
    });

    private final ShadowEngine shadow;
    private final MigrationConfig config;

    public MigrationRunner(PlanExecution execution, PlanStore store, ShadowEngine shadow, MigrationConfig config) {
        this.execution = execution;
        this.store = store;
        this.shadow = shadow;
        this.config = config;
    }

    /** Work for the runner thread other than a plan run (cancel cleanup, swap back): serialised with the runs. */
    public interface Task {
        void run() throws Exception;
    }

    public void submitTask(String what, Task task) {
        executor.execute(() -> {
            try {
                task.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.errorf(e, "%s failed: %s", what, e.getMessage());
            }
        });
    }

    void onStart(@Observes StartupEvent event) {
        long every = Math.max(1, config.shadow().cleanupInterval().toSeconds());
        executor.scheduleWithFixedDelay(() -> {
            try {
                shadow.cleanExpired();
                shadow.sweepLeftovers();
            } catch (Exception e) {
                LOG.warnf("dropping expired rollback points failed: %s; trying again in %ds", e.getMessage(), every);
            }
        }, every, every, TimeUnit.SECONDS);
        try {
            List<String> resumable = store.resumable();
            if (!resumable.isEmpty()) {
                LOG.infof("resuming %d plan(s) left READY or RUNNING: %s", resumable.size(), resumable);
            }
            resumable.forEach(this::submit);
        } catch (Exception e) {
            LOG.errorf("cannot list plans to resume: %s; they resume on the next start", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        // an interrupted plan stays RUNNING in the state database and resumes on the next start
        executor.shutdownNow();
    }

    /** Queues a plan unless it is already queued; running it again later is harmless, it re-checks its status. */
    public void submit(String planId) {
        schedule(planId, 0);
    }

    private void schedule(String planId, long delaySeconds) {
        if (!queued.add(planId)) {
            return;
        }
        executor.schedule(() -> {
            queued.remove(planId);
            try {
                execution.run(planId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // the state database or the broker failed us, not the plan: try again, the steps are idempotent
                LOG.errorf(e, "plan %s interrupted by an infrastructure failure; retrying in %ds", planId, RETRY_AFTER_SECONDS);
                schedule(planId, RETRY_AFTER_SECONDS);
            }
        }, delaySeconds, TimeUnit.SECONDS);
    }
}
