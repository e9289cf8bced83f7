package dev.shadowshift.monitor.dashboard;

import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.monitor.rules.MigrationImpact;
import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import dev.shadowshift.monitor.store.RuleEvaluation;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's live data, in memory: the last poll of each target, a short series of samples per target for
 * charts (connections, transactions per second, lock waits, replication lag), each recent plan's progress and impact
 * series, and a stream that ticks whenever a poll finished or a plan progressed. Memory only: the next polls refill it after a restart; the alerts and migrations come from the
 * state database.
 */
@ApplicationScoped
public class DashboardFeed {

    /** How much of each target's series is kept: an hour at the default interval. */
    static final int MAX_SAMPLES = 240;

    /**
     * One point of a target's charts.
     *
     * @param transactionsPerSecond commits and rollbacks per second since the previous poll, null on the first one
     */
    public record Sample(Instant at, Integer connectionsUsed, Integer maxConnections, Double transactionsPerSecond,
                         Long lockWaits, Double replicationLagSeconds) {
    }

    /** Plans whose series are kept: the most recently updated ones. */
    static final int MAX_PLANS = 20;

    /**
     * One point of a plan's progress chart, from its migration-progress events.
     *
     * @param progress rows copied / rows total while rows are counted, else steps done / steps total (0..1)
     */
    public record ProgressSample(Instant at, Long rowsCopied, Long rowsTotal, Double rowsPerSecond, double progress) {
    }

    /** One point of a plan's impact chart, from the polls while it runs (see migration_impact). */
    public record ImpactSample(Instant at, double worstWaitSeconds, Double lockWaitSeconds, Double writerLatencySeconds,
                               Double replicationLagSeconds, int workerSessions) {
    }

    /** What the dashboard shows of one plan beyond its latest event: its series and its latest impact. */
    public record PlanLive(MigrationImpact impact, List<ProgressSample> progress, List<ImpactSample> impacts) {
        public static final PlanLive NONE = new PlanLive(null, List.of(), List.of());
    }

    private static final class PlanSeries {
        final Deque<ProgressSample> progress = new ArrayDeque<>();
        final Deque<ImpactSample> impacts = new ArrayDeque<>();
        MigrationImpact impact;
        Instant touched = Instant.EPOCH;
    }

    private final Map<String, PlanSeries> plans = new ConcurrentHashMap<>();
    private final Map<String, PollResult> latest = new ConcurrentHashMap<>();
    private final Map<String, RuleEvaluation> evaluations = new ConcurrentHashMap<>();
    private final Map<String, Deque<Sample>> samples = new ConcurrentHashMap<>();
    private final Map<String, TargetSnapshot> previous = new ConcurrentHashMap<>();
    private final BroadcastProcessor<String> polled = BroadcastProcessor.create();

    public void polled(PollResult result, RuleEvaluation evaluation) {
        polled(result, evaluation, List.of());
    }

    /** @param impacts what each running plan of the target cost its writers on this poll */
    public void polled(PollResult result, RuleEvaluation evaluation, List<MigrationImpact> impacts) {
        for (MigrationImpact i : impacts) {
            PlanSeries p = plan(i.planId(), result.at());
            synchronized (p) {
                p.impact = i;
                append(p.impacts, new ImpactSample(result.at(), i.worstWaitSeconds(), i.lockWaitSeconds(),
                        i.writerLatencySeconds(), i.replicationLagSeconds(), i.workerSessions().size()));
            }
        }
        latest.put(result.target(), result);
        evaluations.put(result.target(), evaluation);
        Deque<Sample> series = samples.computeIfAbsent(result.target(), t -> new ArrayDeque<>());
        Sample sample = sample(result);
        synchronized (series) {
            series.addLast(sample);
            while (series.size() > MAX_SAMPLES) {
                series.removeFirst();
            }
        }
        tick(result.target());
    }

    /** A plan's migration-progress event (first delivery only), at its event time. */
    public void progressed(MigrationProgress m, Instant at) {
        PlanSeries p = plan(m.planId(), at);
        double fraction = m.rowsTotal() != null && m.rowsTotal() > 0 && m.rowsCopied() != null
                ? Math.min(1.0, (double) m.rowsCopied() / m.rowsTotal())
                : m.stepsTotal() > 0 ? (double) m.stepsDone() / m.stepsTotal() : 0;
        if ("COMPLETED".equals(m.status())) {
            fraction = 1.0;
        }
        synchronized (p) {
            append(p.progress, new ProgressSample(at, m.rowsCopied(), m.rowsTotal(), m.rowsPerSecond(), fraction));
            if (!"STARTED".equals(m.status()) && !"RUNNING".equals(m.status())) {
                p.impact = null; // finished: what it cost is in the series, not "now"
            }
        }
        tick(m.target());
    }

    /** Polls of several targets and the progress consumer finish on different threads; the processor wants one at a time. */
    private synchronized void tick(String target) {
        polled.onNext(target);
    }

    public PlanLive plan(String planId) {
        PlanSeries p = plans.get(planId);
        if (p == null) {
            return PlanLive.NONE;
        }
        synchronized (p) {
            return new PlanLive(p.impact, List.copyOf(p.progress), List.copyOf(p.impacts));
        }
    }

    private PlanSeries plan(String planId, Instant at) {
        PlanSeries p = plans.computeIfAbsent(planId, id -> new PlanSeries());
        synchronized (p) {
            if (at.isAfter(p.touched)) {
                p.touched = at;
            }
        }
        if (plans.size() > MAX_PLANS) {
            plans.entrySet().stream().filter(e -> e.getValue() != p)
                    .min(java.util.Comparator.comparing(e -> e.getValue().touched))
                    .ifPresent(e -> plans.remove(e.getKey()));
        }
        return p;
    }

    private static <T> void append(Deque<T> series, T sample) {
        series.addLast(sample);
        while (series.size() > MAX_SAMPLES) {
            series.removeFirst();
        }
    }

    private Sample sample(PollResult result) {
        if (!(result instanceof PollResult.Reached reached)) {
            return new Sample(result.at(), null, null, null, null, null);
        }
        TargetSnapshot s = reached.snapshot();
        TargetSnapshot before = previous.put(s.target(), s);
        Double tps = null;
        if (before != null && before.stats().statsSince().equals(s.stats().statsSince())) {
            double seconds = Duration.between(before.takenAt(), s.takenAt()).toMillis() / 1000.0;
            long xacts = s.stats().xactCommit() + s.stats().xactRollback() - before.stats().xactCommit() - before.stats().xactRollback();
            tps = seconds > 0 && xacts >= 0 ? xacts / seconds : null;
        }
        Double lag = s.standbyReplayLagSeconds().orElse(s.standbys().stream().map(TargetSnapshot.Standby::replayLagSeconds)
                .filter(java.util.Objects::nonNull).max(Double::compare).orElse(null));
        return new Sample(s.takenAt(), s.connectionsUsed(), s.maxConnections(), tps,
                s.sessions().stream().filter(q -> q.lockWaitSeconds() != null).count(), lag);
    }

    public Optional<PollResult> of(String target) {
        return Optional.ofNullable(latest.get(target));
    }

    public Optional<RuleEvaluation> evaluation(String target) {
        return Optional.ofNullable(evaluations.get(target));
    }

    public Map<String, PollResult> all() {
        return new TreeMap<>(latest);
    }

    public List<Sample> samples(String target) {
        Deque<Sample> series = samples.get(target);
        if (series == null) {
            return List.of();
        }
        synchronized (series) {
            return List.copyOf(series);
        }
    }

    /** The targets whose poll just finished, as they finish. */
    public Multi<String> polls() {
        return polled;
    }
}
