package dev.shadowshift.monitor.dashboard;

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
 * charts (connections, transactions per second, lock waits, replication lag), and a stream that ticks whenever a
 * poll finished. Memory only: the next polls refill it after a restart; the alerts and migrations come from the
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

    private final Map<String, PollResult> latest = new ConcurrentHashMap<>();
    private final Map<String, RuleEvaluation> evaluations = new ConcurrentHashMap<>();
    private final Map<String, Deque<Sample>> samples = new ConcurrentHashMap<>();
    private final Map<String, TargetSnapshot> previous = new ConcurrentHashMap<>();
    private final BroadcastProcessor<String> polled = BroadcastProcessor.create();

    public void polled(PollResult result, RuleEvaluation evaluation) {
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
        polled.onNext(result.target());
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
