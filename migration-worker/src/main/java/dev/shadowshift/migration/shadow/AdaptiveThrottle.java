package dev.shadowshift.migration.shadow;

import java.time.Duration;
import java.util.Locale;

/**
 * How hard the backfill (or validation) may push right now, decided from what the target's writers experience:
 * additive increase, multiplicative decrease of a cap on the batch size, plus a sleep between batches, and a pause.
 * Pure: {@link Throttle} takes the measurements, {@link ShadowRun#throttle} acts on the decision.
 *
 * <p>The signal is the writers' latency on the migrated table: the mean time per call, since the previous look, of
 * the statements that write to it (pg_stat_statements, the figure a DBA reads for "how slow are my writes"), and the
 * age of the oldest write to it still in flight (pg_stat_activity, which also sees a writer stuck on a lock). With
 * a fixed number of clients, throughput is clients / latency, so holding the mean under {@code slowdown} times the
 * writers' usual mean (pg_stat_statements' totals for those statements, read before the first batch) holds their
 * throughput over 1 / slowdown of what it was: that ceiling and the absolute one ({@code maxWriterLatency}) both
 * apply, whichever is lower.
 * <ul>
 *   <li>a hard stop (a critical alert, replication lag, too many active sessions) or a write older than
 *       {@code pauseWriterLatency}: PAUSE, and the cap halves, so the copy resumes gently;</li>
 *   <li>latency over the ceiling: SLOW, the cap halves (never under {@code batchSizeMin}) and the sleep between
 *       batches doubles (from {@code sleepStep}, at most {@code maxSleep});</li>
 *   <li>latency under it: the cap grows by {@code batchSizeStep} (up to {@code batchSizeMax}) and the sleep halves;
 *       GO once nothing holds the copy back any more.</li>
 * </ul>
 * A mean over fewer than {@code minCalls} calls is noise and counts as unknown; the in-flight age is always known.
 */
final class AdaptiveThrottle {

    /** The ceilings and steps (shadowshift.migration.throttle.*, batch bounds from shadowshift.migration.shadow.*). */
    record Limits(Duration maxWriterLatency, double slowdown, Duration pauseWriterLatency, int batchSizeMin, int batchSizeMax,
                  int batchSizeStep, Duration sleepStep, Duration maxSleep, long minCalls) {
        Limits {
            if (batchSizeMin < 1 || batchSizeMax < batchSizeMin || batchSizeStep < 1 || slowdown < 1) {
                throw new IllegalArgumentException("throttle limits out of range: batch " + batchSizeMin + ".." + batchSizeMax
                        + " step " + batchSizeStep + ", slowdown " + slowdown);
            }
        }
    }

    /**
     * One look at the target.
     *
     * @param hardStop     why nothing may run now (alert, replication lag, sessions), or null
     * @param meanWriteMs  the writers' mean time per call since the previous look, or null when unknown
     * @param writeCalls   how many calls that mean is over
     * @param oldestWriteMs the age of the oldest write to the table in flight (0 when none)
     * @param why          what {@code meanWriteMs} is, or why it is unknown (said once in progress)
     */
    record Sample(String hardStop, Double meanWriteMs, long writeCalls, double oldestWriteMs, String why) {
    }

    enum Action { GO, SLOW, PAUSE }

    /** @param batchSize the rows the next batch may take; @param sleep to wait before it; @param why in an operator's words */
    record Decision(Action action, int batchSize, Duration sleep, String why) {
    }

    private final Limits limits;
    private int cap;
    private long sleepMs;
    private Double baselineMs;

    AdaptiveThrottle(Limits limits) {
        this.limits = limits;
        this.cap = limits.batchSizeMax();
    }

    /** The writers' usual mean (the look before the first batch, when it has enough calls), else null. */
    Double baselineMs() {
        return baselineMs;
    }

    /** The latency the writers may have: the absolute ceiling, or slowdown x baseline when that is lower. */
    double ceilingMs() {
        double abs = limits.maxWriterLatency().toNanos() / 1e6;
        return baselineMs == null ? abs : Math.min(abs, baselineMs * limits.slowdown());
    }

    /**
     * @param proposed the batch size the caller would use (the time-target adaptation's)
     * @param copying  false for the look before the first batch, whose mean (the statements' totals so far) is the
     *                 baseline: no latency ceiling is applied to it, only hard stops and the pause ceiling
     */
    Decision next(Sample s, int proposed, boolean copying) {
        int want = Math.max(limits.batchSizeMin(), Math.min(limits.batchSizeMax(), proposed));
        boolean meanKnown = s.meanWriteMs() != null && s.writeCalls() >= limits.minCalls();
        if (!copying && meanKnown && baselineMs == null) {
            baselineMs = s.meanWriteMs();
        }
        if (s.hardStop() != null) {
            decrease(want);
            return new Decision(Action.PAUSE, Math.min(want, cap), Duration.ZERO, s.hardStop());
        }
        double pauseMs = limits.pauseWriterLatency().toNanos() / 1e6;
        if (s.oldestWriteMs() >= pauseMs) {
            decrease(want);
            return new Decision(Action.PAUSE, Math.min(want, cap), Duration.ZERO, String.format(Locale.ROOT,
                    "a write to the table has been running for %.0f ms, over pause-writer-latency %.0f ms", s.oldestWriteMs(), pauseMs));
        }
        double ceiling = ceilingMs();
        double latency = Math.max(s.oldestWriteMs(), meanKnown ? s.meanWriteMs() : 0);
        if (copying && latency > ceiling) {
            decrease(want);
            sleepMs = Math.min(limits.maxSleep().toMillis(), Math.max(limits.sleepStep().toMillis(), sleepMs * 2));
            return new Decision(Action.SLOW, cap, Duration.ofMillis(sleepMs), String.format(Locale.ROOT,
                    "writers' latency %s is over the ceiling %.1f ms%s: batch cut to %d rows, %d ms between batches",
                    describe(s, meanKnown), ceiling, baselineNote(), cap, sleepMs));
        }
        cap = (int) Math.min(limits.batchSizeMax(), (long) cap + limits.batchSizeStep());
        sleepMs = sleepMs <= limits.sleepStep().toMillis() ? 0 : sleepMs / 2;
        int size = Math.min(want, cap);
        if (sleepMs == 0 && size == want) {
            return new Decision(Action.GO, size, Duration.ZERO, String.format(Locale.ROOT,
                    "writers' latency %s is under the ceiling %.1f ms%s", describe(s, meanKnown), ceiling, baselineNote()));
        }
        return new Decision(Action.SLOW, size, Duration.ofMillis(sleepMs), String.format(Locale.ROOT,
                "writers' latency %s is back under the ceiling %.1f ms%s: recovering, batch up to %d rows, %d ms between batches",
                describe(s, meanKnown), ceiling, baselineNote(), cap, sleepMs));
    }

    private void decrease(int want) {
        cap = Math.max(limits.batchSizeMin(), Math.min(cap, want) / 2);
    }

    private String baselineNote() {
        return baselineMs == null ? "" : String.format(Locale.ROOT, " (usual %.2f ms x %.2f, at most %d ms)",
                baselineMs, limits.slowdown(), limits.maxWriterLatency().toMillis());
    }

    private static String describe(Sample s, boolean meanKnown) {
        String mean = meanKnown ? String.format(Locale.ROOT, "mean %.2f ms over %d writes", s.meanWriteMs(), s.writeCalls())
                : "mean unknown";
        return String.format(Locale.ROOT, "(%s, oldest in flight %.0f ms)", mean, s.oldestWriteMs());
    }
}
