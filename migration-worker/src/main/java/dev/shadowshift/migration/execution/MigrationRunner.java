package dev.shadowshift.migration.execution;

import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.TableBusy;
import dev.shadowshift.migration.store.PlanStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    /** Wait while another worker holds the table, or while even the state database is unreachable. */
    private static final long RETRY_AFTER_SECONDS = 30;

    private final PlanExecution execution;
    private final PlanStore store;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    /** Transient failures per plan since its last clean run; in memory: a restart starts the budget afresh. */
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final RetryBudget budget;
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
        this.budget = new RetryBudget(config.transientMaxAttempts(), config.transientMaxElapsed(), config.backoffInitial(),
                config.backoffMax());
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

    private void schedule(String planId, long delayMillis) {
        if (!queued.add(planId)) {
            return;
        }
        executor.schedule(() -> {
            queued.remove(planId);
            try {
                execution.run(planId);
                failures.remove(planId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                retryOrFail(planId, e);
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Another worker migrating the table is no failure: wait for it. A transient failure (connection, deadlock,
     * serialization, lock wait, shutdown, too many connections) or an unexpected exception is retried with the
     * jittered backoff within the budget, then the plan goes FAILED. A non-transient SQL error would fail the same
     * way on every retry, so it fails the plan at once.
     */
    private void retryOrFail(String planId, Exception e) {
        if (e instanceof IllegalStateException && e.getCause() instanceof TableBusy) {
            LOG.infof("plan %s: %s; trying again in %ds", planId, e.getMessage(), RETRY_AFTER_SECONDS);
            schedule(planId, TimeUnit.SECONDS.toMillis(RETRY_AFTER_SECONDS));
            return;
        }
        String state = SqlErrors.sqlState(e);
        String cause = e instanceof SQLException sql ? SqlErrors.describe(sql) : e.getClass().getSimpleName() + ": " + e.getMessage();
        Optional<Duration> wait = Optional.empty();
        int attempt = 0;
        if (state == null || SqlErrors.isTransient(state)) {
            Failures f = failures.computeIfAbsent(planId, id -> new Failures(System.nanoTime()));
            attempt = ++f.count;
            wait = budget.next(attempt, Duration.ofNanos(System.nanoTime() - f.firstAt));
        }
        if (wait.isPresent()) {
            LOG.warnf(e, "plan %s interrupted by a transient failure (attempt %d of %d): %s; retrying in %dms", planId, attempt,
                    budget.maxAttempts(), cause, wait.get().toMillis());
            schedule(planId, wait.get().toMillis());
            return;
        }
        failures.remove(planId);
        String reason = attempt > 0
                ? "gave up after " + attempt + " attempt(s) over at most " + budget.maxElapsed() + " of transient failures; last: " + cause
                : "failed with a non-transient error: " + cause;
        try {
            execution.giveUp(planId, reason);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (Exception stateDbDown) {
            // cannot even record the failure: the state database is gone too, so try the whole run again later
            LOG.errorf("plan %s: cannot mark FAILED (%s); retrying in %ds", planId, stateDbDown.getMessage(), RETRY_AFTER_SECONDS);
            schedule(planId, TimeUnit.SECONDS.toMillis(RETRY_AFTER_SECONDS));
        }
    }

    private static final class Failures {
        final long firstAt;
        int count;

        Failures(long firstAt) {
            this.firstAt = firstAt;
        }
    }
}
