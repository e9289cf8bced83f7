package dev.shadowshift.migration.support;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with "equal jitter": half the delay is fixed, half random, so retries from several workers spread out. */
public final class Backoff {

    private Backoff() {
    }

    /** @param failedAttempts attempts made so far, 1 after the first failure */
    public static Duration delay(int failedAttempts, Duration initial, Duration max) {
        long base = initial.toMillis();
        long capped = Math.min(max.toMillis(), base << Math.min(20, Math.max(0, failedAttempts - 1)));
        long half = capped / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
