package dev.shadowshift.migration.shadow;

import java.time.Duration;
import java.util.Locale;

/**
 * How hard the backfill (or validation) may push right now, decided from what the target's writers experience:
 * additive increase, multiplicative decrease of a cap on the batch size, plus a sleep between batches, and a pause.
 * Pure: {@link Throttle} and {@link WriteProbe} take the measurements, {@link ShadowRun#throttle} acts on the decision.
 *
 * <p>Two measurements, both since the previous look: a canary write's latency (mean and worst, timed end to end while
 * the batches run, {@link WriteProbe}) and the age of the oldest client write to the table still in flight
 * (pg_stat_activity, which also sees a writer stuck on a lock). Two ceilings, each relative to the canary's usual
 * figures (the window before the first batch, the baseline) and capped or floored by an absolute one:
 * <ul>
 *   <li>the mean may rise to {@code slowdown} x its usual value, and never past {@code maxWriterLatency}: with a fixed
 *       number of clients throughput is clients / latency, so 1.25 keeps the writers' throughput at 80% or more;</li>
 *   <li>the worst (canary or write in flight) may reach {@code maxWriterLatency}, or {@code slowdown} x the usual
 *       worst when the server was already that slow before the copy (the copy cannot be held to less).</li>
 * </ul>
 * Then:
 * <ul>
 *   <li>a hard stop (a critical alert, replication lag, too many active sessions), or a write or canary taking
 *       {@code pauseWriterLatency} or more: PAUSE, and the cap halves, so the copy resumes gently;</li>
 *   <li>over a ceiling: SLOW, the cap halves (never under {@code batchSizeMin}) and the sleep between batches doubles
 *       (from {@code sleepStep}, at most {@code maxSleep});</li>
 *   <li>under both: the cap grows by {@code batchSizeStep} (up to {@code batchSizeMax}) and the sleep halves; GO once
 *       nothing holds the copy back.</li>
 * </ul>
 * A window of fewer than {@code minProbes} canaries says nothing about the mean and worst; the in-flight age is
 * always known.
 */
final class AdaptiveThrottle {

    /** The ceilings and steps (shadowshift.migration.throttle.*, batch bounds from shadowshift.migration.shadow.*). */
    record Limits(Duration maxWriterLatency, double slowdown, Duration pauseWriterLatency, int batchSizeMin, int batchSizeMax,
                  int batchSizeStep, Duration sleepStep, Duration maxSleep, long minProbes) {
        Limits {
            if (batchSizeMin < 1 || batchSizeMax < batchSizeMin || batchSizeStep < 1 || slowdown < 1 || minProbes < 1) {
                throw new IllegalArgumentException("throttle limits out of range: batch " + batchSizeMin + ".." + batchSizeMax
                        + " step " + batchSizeStep + ", slowdown " + slowdown + ", min probes " + minProbes);
            }
        }
    }

    /**
     * One look at the target.
     *
     * @param hardStop      why nothing may run now (alert, replication lag, sessions), or null
     * @param probes        canary writes completed since the previous look
     * @param meanMs        their mean latency
     * @param maxMs         their worst latency
     * @param oldestWriteMs the age of the oldest client write to the table in flight (0 when none)
     */
    record Sample(String hardStop, long probes, double meanMs, double maxMs, double oldestWriteMs) {
    }

    enum Action { GO, SLOW, PAUSE }

    /** @param batchSize the rows the next batch may take; @param sleep to wait before it; @param why in an operator's words */
    record Decision(Action action, int batchSize, Duration sleep, String why) {
    }

    private final Limits limits;
    private int cap;
    private long sleepMs;
    private Double usualMeanMs;
    private Double usualMaxMs;

    AdaptiveThrottle(Limits limits) {
        this.limits = limits;
        this.cap = limits.batchSizeMax();
    }

    /** The canary's usual mean (the look before the first batch, when it had enough canaries), else null. */
    Double usualMeanMs() {
        return usualMeanMs;
    }

    double meanCeilingMs() {
        double abs = ms(limits.maxWriterLatency());
        return usualMeanMs == null ? abs : Math.min(abs, usualMeanMs * limits.slowdown());
    }

    double worstCeilingMs() {
        double abs = ms(limits.maxWriterLatency());
        return usualMaxMs == null ? abs : Math.max(abs, usualMaxMs * limits.slowdown());
    }

    /**
     * @param proposed the batch size the caller would use (the time-target adaptation's)
     * @param copying  false for the look before the first batch: its window is the baseline, and only hard stops
     *                 and the pause ceiling apply to it
     */
    Decision next(Sample s, int proposed, boolean copying) {
        int want = Math.max(limits.batchSizeMin(), Math.min(limits.batchSizeMax(), proposed));
        boolean known = s.probes() >= limits.minProbes();
        if (s.hardStop() != null) {
            decrease(want);
            return new Decision(Action.PAUSE, Math.min(want, cap), Duration.ZERO, s.hardStop());
        }
        double pauseMs = ms(limits.pauseWriterLatency());
        double worst = Math.max(s.oldestWriteMs(), known ? s.maxMs() : 0);
        if (worst >= pauseMs) {
            decrease(want);
            return new Decision(Action.PAUSE, Math.min(want, cap), Duration.ZERO, String.format(Locale.ROOT,
                    s.oldestWriteMs() >= pauseMs ? "a write to the table has been running for %.0f ms, over pause-writer-latency %.0f ms"
                            : "a canary write took %.0f ms, over pause-writer-latency %.0f ms", worst, pauseMs));
        }
        if (!copying) {
            if (known && usualMeanMs == null) {
                usualMeanMs = s.meanMs();
                usualMaxMs = s.maxMs();
            }
            return new Decision(Action.GO, Math.min(want, cap), Duration.ZERO, "usual writer latency " + describe(s, known));
        }
        double meanCeiling = meanCeilingMs();
        double worstCeiling = worstCeilingMs();
        String over = known && s.meanMs() > meanCeiling
                ? String.format(Locale.ROOT, "mean %.2f ms over %.2f ms%s", s.meanMs(), meanCeiling, usual())
                : worst > worstCeiling ? String.format(Locale.ROOT, "worst %.1f ms over %.1f ms", worst, worstCeiling) : null;
        if (over != null) {
            decrease(want);
            sleepMs = Math.min(limits.maxSleep().toMillis(), Math.max(limits.sleepStep().toMillis(), sleepMs * 2));
            return new Decision(Action.SLOW, cap, Duration.ofMillis(sleepMs), String.format(Locale.ROOT,
                    "writer latency %s: %s; batch cut to %d rows, %d ms between batches", describe(s, known), over, cap, sleepMs));
        }
        cap = (int) Math.min(limits.batchSizeMax(), (long) cap + limits.batchSizeStep());
        sleepMs = sleepMs <= limits.sleepStep().toMillis() ? 0 : sleepMs / 2;
        int size = Math.min(want, cap);
        if (sleepMs == 0 && size == want) {
            return new Decision(Action.GO, size, Duration.ZERO, String.format(Locale.ROOT,
                    "writer latency %s is under its ceilings (mean %.2f ms, worst %.1f ms)", describe(s, known), meanCeiling, worstCeiling));
        }
        return new Decision(Action.SLOW, size, Duration.ofMillis(sleepMs), String.format(Locale.ROOT,
                "writer latency %s is back under its ceilings (mean %.2f ms, worst %.1f ms): recovering, batch up to %d rows, %d ms between batches",
                describe(s, known), meanCeiling, worstCeiling, size, sleepMs));
    }

    private void decrease(int want) {
        cap = Math.max(limits.batchSizeMin(), Math.min(cap, want) / 2);
    }

    private String usual() {
        return usualMeanMs == null ? "" : String.format(Locale.ROOT, " (usual %.2f ms x %.2f)", usualMeanMs, limits.slowdown());
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    private static String describe(Sample s, boolean known) {
        String canary = known ? String.format(Locale.ROOT, "canary mean %.2f ms, worst %.1f ms over %d", s.meanMs(), s.maxMs(), s.probes())
                : "too few canaries (" + s.probes() + ")";
        return String.format(Locale.ROOT, "(%s; oldest write in flight %.0f ms)", canary, s.oldestWriteMs());
    }
}
