package dev.shadowshift.migration.flow;

import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.support.RetryBudget;
import dev.shadowshift.migration.support.SqlErrors;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What to do after a run of a plan threw: the one retry policy of the worker and the CLI. A transient failure
 * (connection, deadlock, serialization, lock wait, shutdown, too many connections) or an unexpected exception is
 * retried with the jittered backoff within the budget, then the plan gives up; a non-transient SQL error would fail
 * the same way on every retry, so it gives up at once.
 */
public final class RetryPolicy {

    /** Retry after {@code wait}, or give up with {@code reason} (then the plan goes FAILED). */
    public record Next(Duration delay, String reason, String cause) {
        public boolean retry() {
            return delay != null;
        }
    }

    private final RetryBudget budget;
    /** Transient failures per plan since its last clean run; in memory: a restart starts the budget afresh. */
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    public RetryPolicy(MigrationConfig config) {
        this.budget = new RetryBudget(config.transientMaxAttempts(), config.transientMaxElapsed(), config.backoffInitial(),
                config.backoffMax());
    }

    public Next after(String planId, Exception e) {
        String state = SqlErrors.sqlState(e);
        String cause = e instanceof SQLException sql ? SqlErrors.describe(sql) : e.getClass().getSimpleName() + ": " + e.getMessage();
        int attempt = 0;
        if (state == null || SqlErrors.isTransient(state)) {
            Failures f = failures.computeIfAbsent(planId, id -> new Failures(System.nanoTime()));
            attempt = ++f.count;
            Optional<Duration> wait = budget.next(attempt, Duration.ofNanos(System.nanoTime() - f.firstAt));
            if (wait.isPresent()) {
                return new Next(wait.get(), "attempt " + attempt + " of " + budget.maxAttempts(), cause);
            }
        }
        failures.remove(planId);
        return new Next(null, attempt > 0
                ? "gave up after " + attempt + " attempt(s) over at most " + budget.maxElapsed() + " of transient failures; last: " + cause
                : "failed with a non-transient error: " + cause, cause);
    }

    public void succeeded(String planId) {
        failures.remove(planId);
    }

    private static final class Failures {
        final long firstAt;
        int count;

        Failures(long firstAt) {
            this.firstAt = firstAt;
        }
    }
}
