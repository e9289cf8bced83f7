package dev.shadowshift.migration.flow;

import dev.shadowshift.migration.config.MigrationConfig;
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
 * The worker's runner: plans one at a time on a single thread, so the Kafka consumers are never blocked by a long
 * migration. At startup, and on every sweep after, it picks up plans left READY or RUNNING (by a previous process,
 * or by another instance that died: its plan lock went with it); a plan another instance owns is skipped.
 */
@ApplicationScoped
public class MigrationRunner implements Runner {

    private static final Logger LOG = Logger.getLogger(MigrationRunner.class);
    /** Wait while even the state database is unreachable. */
    private static final long RETRY_AFTER_SECONDS = 30;

    private final PlanExecution execution;
    private final PlanStore store;
    private final ShadowEngine shadow;
    private final MigrationConfig config;
    private final RetryPolicy retries;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "migration-runner");
        t.setDaemon(true);
        return t;
    });

    public MigrationRunner(PlanExecution execution, PlanStore store, ShadowEngine shadow, MigrationConfig config) {
        this.execution = execution;
        this.store = store;
        this.shadow = shadow;
        this.config = config;
        this.retries = new RetryPolicy(config);
    }

    @Override
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
                sweep(false);
            } catch (Exception e) {
                LOG.warnf("the sweep (expired rollback points, leftovers, orphaned plans) failed: %s; trying again in %ds",
                        e.getMessage(), every);
            }
        }, every, every, TimeUnit.SECONDS);
        try {
            sweep(true);
        } catch (Exception e) {
            LOG.errorf("cannot list plans to resume: %s; they resume on the next sweep", e.getMessage());
        }
    }

    private void sweep(boolean announce) throws java.sql.SQLException {
        List<String> resumable = store.resumable();
        if (announce && !resumable.isEmpty()) {
            LOG.infof("resuming %d plan(s) left READY or RUNNING: %s", resumable.size(), resumable);
        }
        resumable.forEach(this::submit);
    }

    void onStop(@Observes ShutdownEvent event) {
        // an interrupted plan stays RUNNING in the state database and resumes on the next start
        executor.shutdownNow();
    }

    /** Queues a plan unless it is already queued; running it again later is harmless, it re-checks its state. */
    @Override
    public void submit(String planId) {
        schedule(planId, 0);
    }

    private void schedule(String planId, long delayMillis) {
        if (!queued.add(planId)) {
            return;
        }
        executor.schedule(() -> {
            queued.remove(planId);
            try {
                execution.run(planId);
                retries.succeeded(planId);
            } catch (PlanBusy busy) {
                LOG.debugf("%s; its owner runs it", busy.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                retryOrFail(planId, e);
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void retryOrFail(String planId, Exception e) {
        RetryPolicy.Next next = retries.after(planId, e);
        if (next.retry()) {
            LOG.warnf(e, "plan %s interrupted by a transient failure (%s): %s; retrying in %dms", planId, next.reason(),
                    next.cause(), next.delay().toMillis());
            schedule(planId, next.delay().toMillis());
            return;
        }
        try {
            execution.giveUp(planId, next.reason());
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (Exception stateDbDown) {
            // cannot even record the failure: the state database is gone too, so try the whole run again later
            LOG.errorf("plan %s: cannot mark FAILED (%s); retrying in %ds", planId, stateDbDown.getMessage(), RETRY_AFTER_SECONDS);
            schedule(planId, TimeUnit.SECONDS.toMillis(RETRY_AFTER_SECONDS));
        }
    }
}
