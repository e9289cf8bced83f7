package dev.shadowshift.migration.support;

import java.time.Duration;
import java.util.Optional;

/**
 * How long a plan interrupted by a transient failure keeps being retried: at most {@code maxAttempts} runs in all
 * and no retry starting after {@code maxElapsed} since the first failure; the wait between runs is the jittered
 * exponential {@link Backoff}.
 */
public record RetryBudget(int maxAttempts, Duration maxElapsed, Duration backoffInitial, Duration backoffMax) {

    /**
     * @param failedAttempts runs that failed so far, 1 after the first failure
     * @param sinceFirstFailure time since the first of them
     * @return the wait before the next run, or empty when the budget is spent and the plan should fail
     */
    public Optional<Duration> next(int failedAttempts, Duration sinceFirstFailure) {
        if (failedAttempts >= maxAttempts) {
            return Optional.empty();
        }
        Duration wait = Backoff.delay(failedAttempts, backoffInitial, backoffMax);
        if (sinceFirstFailure.plus(wait).compareTo(maxElapsed) > 0) {
            return Optional.empty();
        }
        return Optional.of(wait);
    }
}
