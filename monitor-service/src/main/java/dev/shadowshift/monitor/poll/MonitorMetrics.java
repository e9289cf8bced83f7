package dev.shadowshift.monitor.poll;

import dev.shadowshift.monitor.config.MonitorConfig;
import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the monitor saw, as Micrometer meters (Prometheus at /q/metrics). Every meter is tagged by target; the
 * per-table gauge exists only for the tables with the most dead tuples, so a database with thousands of tables
 * cannot blow up the series count. After a failed poll the target's gauges read NaN, not the last good value.
 */
@ApplicationScoped
public class MonitorMetrics {

    private final MeterRegistry registry;
    private final int maxTables;
    private final Map<String, TargetMeters> targets = new ConcurrentHashMap<>();

    public MonitorMetrics(MeterRegistry registry, MonitorConfig config) {
        this.registry = registry;
        this.maxTables = Math.max(0, config.metricsMaxTables());
    }

    public void recorded(PollResult result) {
        TargetMeters m = meters(result.target());
        m.polls.increment();
        if (result instanceof PollResult.Reached reached) {
            TargetSnapshot s = reached.snapshot();
            m.up.set(1);
            m.connectionsUsed.set(s.connectionsUsed());
            m.maxConnections.set(s.maxConnections());
            m.longestQuery.set(s.activeQueries().stream().filter(q -> "active".equals(q.state()))
                    .mapToDouble(TargetSnapshot.ActiveQuery::ageSeconds).max().orElse(0));
            deadTuples(m, result.target(), s.tables());
        } else {
            m.pollFailures.increment();
            m.up.set(0);
            m.connectionsUsed.set(Double.NaN);
            m.maxConnections.set(Double.NaN);
            m.longestQuery.set(Double.NaN);
        }
    }

    public void firingAlerts(String target, int count) {
        meters(target).firingAlerts.set(count);
    }

    private void deadTuples(TargetMeters m, String target, List<TargetSnapshot.TableStats> tables) {
        List<TargetSnapshot.TableStats> top = tables.stream()
                .sorted(Comparator.comparingLong(TargetSnapshot.TableStats::deadTuples).reversed())
                .limit(maxTables).toList();
        Set<String> keep = new HashSet<>();
        for (TargetSnapshot.TableStats t : top) {
            String key = t.schema() + "." + t.table();
            keep.add(key);
            m.deadTuples.computeIfAbsent(key, k -> {
                AtomicLong holder = new AtomicLong();
                Gauge gauge = Gauge.builder("shadowshift.monitor.table.dead.tuples", holder, AtomicLong::doubleValue)
                        .description("n_dead_tup of the tables with the most dead tuples")
                        .tags(Tags.of("target", target, "schema", t.schema(), "table", t.table()))
                        .strongReference(true).register(registry);
                return new TableGauge(holder, gauge);
            }).value.set(t.deadTuples());
        }
        m.deadTuples.entrySet().removeIf(e -> {
            if (keep.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue().gauge);
            return true;
        });
    }

    private TargetMeters meters(String target) {
        return targets.computeIfAbsent(target, t -> new TargetMeters(registry, t));
    }

    private record TableGauge(AtomicLong value, Gauge gauge) {
    }

    private static final class TargetMeters {
        final Counter polls;
        final Counter pollFailures;
        final DoubleHolder up = new DoubleHolder(Double.NaN);
        final DoubleHolder connectionsUsed = new DoubleHolder(Double.NaN);
        final DoubleHolder maxConnections = new DoubleHolder(Double.NaN);
        final DoubleHolder longestQuery = new DoubleHolder(Double.NaN);
        final DoubleHolder firingAlerts = new DoubleHolder(0);
        final Map<String, TableGauge> deadTuples = new HashMap<>();

        TargetMeters(MeterRegistry registry, String target) {
            Tags tags = Tags.of("target", target);
            polls = Counter.builder("shadowshift.monitor.polls").description("Polls of the target, successful or not")
                    .tags(tags).register(registry);
            pollFailures = Counter.builder("shadowshift.monitor.poll.failures")
                    .description("Polls that could not read the target").tags(tags).register(registry);
            gauge(registry, "shadowshift.monitor.target.up", "1 if the last poll reached the target, else 0", tags, up);
            gauge(registry, "shadowshift.monitor.connections.used", "Client backends on the target's server", tags, connectionsUsed);
            gauge(registry, "shadowshift.monitor.connections.max", "max_connections of the target's server", tags, maxConnections);
            gauge(registry, "shadowshift.monitor.query.longest.active.seconds",
                    "Age of the longest running active query on the target database", tags, longestQuery);
            gauge(registry, "shadowshift.monitor.alerts.firing", "Alerts firing for the target", tags, firingAlerts);
        }

        private static void gauge(MeterRegistry registry, String name, String description, Tags tags, DoubleHolder holder) {
            Gauge.builder(name, holder, DoubleHolder::get).description(description).tags(tags).strongReference(true)
                    .register(registry);
        }
    }

    private static final class DoubleHolder {
        private volatile double value;

        DoubleHolder(double initial) {
            value = initial;
        }

        double get() {
            return value;
        }

        void set(double v) {
            value = v;
        }
    }
}
