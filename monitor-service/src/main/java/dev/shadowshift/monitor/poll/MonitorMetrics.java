package dev.shadowshift.monitor.poll;

import dev.shadowshift.monitor.alerting.SeriesState;
import dev.shadowshift.monitor.config.MonitorConfig;
import dev.shadowshift.monitor.rules.MigrationImpact;
import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the monitor saw, at /q/metrics. Where postgres_exporter has a metric for it, the same name and labels
 * ({@code datname}, {@code state}, {@code schemaname}, {@code relname}) plus {@code target}, so that the dashboards
 * and alerts built for the exporter work on these series; cumulative counters of pg_stat_database keep the exporter's
 * names (no {@code _total}), as gauges of the server's own counters. The monitor's own meters are
 * {@code shadowshift_monitor_*}. Per-table series exist only for the tables with the most dead tuples, so a database
 * with thousands of tables cannot blow up the series count. After a failed poll the target's gauges read NaN.
 */
@ApplicationScoped
public class MonitorMetrics {

    private final MeterRegistry registry;
    private final int maxTables;
    /** every gauge by name and tags; removed when its object is gone (a table dropped, a state no longer seen) */
    private final Map<String, Holder> gauges = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> dynamic = new ConcurrentHashMap<>();

    public MonitorMetrics(MeterRegistry registry, MonitorConfig config) {
        this.registry = registry;
        this.maxTables = Math.max(0, config.metricsMaxTables());
    }

    public void recorded(PollResult result) {
        String target = result.target();
        Counter.builder("shadowshift_monitor_polls").description("Polls of the target, successful or not")
                .tags("target", target).register(registry).increment();
        Timer.builder("shadowshift_monitor_poll_duration").description("Time the poll's queries took, seen from the monitor")
                .tags("target", target, "outcome", result instanceof PollResult.Reached ? "reached" : "unreachable")
                .register(registry).record(result.took());
        if (!(result instanceof PollResult.Reached reached)) {
            Counter.builder("shadowshift_monitor_poll_failures").description("Polls that could not read the target")
                    .tags("target", target).register(registry).increment();
            set("pg_up", "1 if the last poll reached the target, else 0", Tags.of("target", target), 0);
            forEachOf(target, h -> !h.name.equals("pg_up"), h -> h.value = Double.NaN);
            return;
        }
        TargetSnapshot s = reached.snapshot();
        Tags t = Tags.of("target", target);
        Tags db = Tags.of("target", target, "datname", s.database());
        set("pg_up", "1 if the last poll reached the target, else 0", t, 1);
        set("pg_settings_max_connections", "max_connections of the target's server", t, s.maxConnections());
        set("pg_stat_database_numbackends", "Client backends on the target's server", t, s.connectionsUsed());
        Set<String> seen = new HashSet<>();
        s.connectionsByState().forEach((state, n) -> seen.add(set("pg_stat_activity_count",
                "Client backends by state, server-wide", t.and("state", state), n)));
        TargetSnapshot.DatabaseStats d = s.stats();
        set("pg_stat_database_xact_commit", "Transactions committed in the database (cumulative)", db, d.xactCommit());
        set("pg_stat_database_xact_rollback", "Transactions rolled back in the database (cumulative)", db, d.xactRollback());
        set("pg_stat_database_blks_read", "Blocks read from disk (cumulative)", db, d.blksRead());
        set("pg_stat_database_blks_hit", "Blocks found in shared_buffers (cumulative)", db, d.blksHit());
        set("pg_stat_database_temp_files", "Temporary files written (cumulative)", db, d.tempFiles());
        set("pg_stat_database_temp_bytes", "Bytes written to temporary files (cumulative)", db, d.tempBytes());
        set("pg_stat_database_deadlocks", "Deadlocks detected (cumulative)", db, d.deadlocks());
        set("shadowshift_monitor_database_xid_age", "age(datfrozenxid) of the database", db, d.frozenXidAge());
        s.slow().ifPresent(slow -> slow.databaseSizeBytes().ifPresent(size ->
                set("pg_database_size_bytes", "Size of the database (slow polls)", db, size)));
        set("shadowshift_monitor_query_longest_active_seconds", "Age of the longest running active query on the database", db,
                s.sessions().stream().filter(q -> "active".equals(q.state())).mapToDouble(TargetSnapshot.Session::queryAgeSeconds)
                        .max().orElse(0));
        set("shadowshift_monitor_idle_in_transaction_longest_seconds", "Longest idle-in-transaction session on the database",
                db, s.sessions().stream().filter(q -> q.state() != null && q.state().startsWith("idle in transaction"))
                        .mapToDouble(TargetSnapshot.Session::stateAgeSeconds).max().orElse(0));
        set("shadowshift_monitor_lock_waits", "Sessions waiting for a lock on the database", db,
                s.sessions().stream().filter(q -> q.lockWaitSeconds() != null).count());
        s.standbyReplayLagSeconds().ifPresent(lag -> seen.add(set("pg_replication_lag_seconds",
                "Replay lag of this standby", t, lag)));
        for (TargetSnapshot.Standby st : s.standbys()) {
            if (st.lagBytes() != null) {
                seen.add(set("pg_stat_replication_pg_wal_lsn_diff", "WAL bytes a standby has yet to replay",
                        t.and("application_name", st.name()), st.lagBytes()));
            }
        }
        for (TargetSnapshot.Slot slot : s.inactiveSlots()) {
            seen.add(set("shadowshift_monitor_replication_slot_inactive_retained_bytes", "WAL kept by an inactive slot",
                    t.and("slot_name", slot.name()), slot.retainedBytes()));
        }
        List<TargetSnapshot.TableStats> top = s.tables().stream()
                .sorted(Comparator.comparingLong(TargetSnapshot.TableStats::deadTuples).reversed()).limit(maxTables).toList();
        for (TargetSnapshot.TableStats tb : top) {
            Tags tt = db.and("schemaname", tb.schema(), "relname", tb.table());
            seen.add(set("pg_stat_user_tables_n_dead_tup", "Dead tuples of the tables with the most", tt, tb.deadTuples()));
            seen.add(set("pg_stat_user_tables_n_live_tup", "Live tuples of the tables with the most dead tuples", tt, tb.liveTuples()));
        }
        retire(target, "poll", seen);
    }

    /** Firing and pending alerts of a target, by severity. */
    public void alerts(String target, Collection<SeriesState> states) {
        Set<String> seen = new HashSet<>();
        for (String severity : List.of("critical", "warning", "info")) {
            long firing = states.stream().filter(x -> x.firing() != null && x.firing().label().equals(severity)).count();
            seen.add(set("shadowshift_monitor_alerts_firing", "Alerts firing, by severity", Tags.of("target", target,
                    "severity", severity), firing));
        }
        seen.add(set("shadowshift_monitor_alerts_pending", "Alert series waiting out their for period",
                Tags.of("target", target), states.stream().filter(SeriesState::pending).count()));
        retire(target, "alerts", seen);
    }

    /** What each running plan costs its writers (migration_impact's value); a plan's series goes when it ends. */
    public void impacts(String target, List<MigrationImpact> impacts) {
        Set<String> seen = new HashSet<>();
        for (MigrationImpact i : impacts) {
            Tags t = Tags.of("target", target, "plan_id", i.planId());
            seen.add(set("shadowshift_monitor_migration_impact_seconds", "Longest wait of a running plan's writers "
                    + "(lock wait or mean statement time)", t, i.worstWaitSeconds()));
            seen.add(set("shadowshift_monitor_migration_worker_sessions", "migration-worker's busy sessions on the target",
                    t, i.workerSessions().size()));
        }
        retire(target, "impact", seen);
    }

    public void notified(String target, String reason) {
        Counter.builder("shadowshift_monitor_notifications").description("Alert notifications published, by reason")
                .tags("target", target, "reason", reason).register(registry).increment();
    }

    private String set(String name, String description, Tags tags, double value) {
        String key = name + tags;
        gauges.computeIfAbsent(key, k -> {
            Holder h = new Holder(name, tags);
            h.gauge = Gauge.builder(name, h, x -> x.value).description(description).tags(tags).strongReference(true)
                    .register(registry);
            return h;
        }).value = value;
        return key;
    }

    /** Removes the per-object gauges of a target that this round did not set (a table dropped, a slot used again). */
    private void retire(String target, String round, Set<String> seen) {
        Set<String> before = dynamic.put(target + "/" + round, seen);
        if (before == null) {
            return;
        }
        for (String key : before) {
            if (!seen.contains(key)) {
                Holder h = gauges.remove(key);
                if (h != null) {
                    registry.remove(h.gauge);
                }
            }
        }
    }

    private void forEachOf(String target, java.util.function.Predicate<Holder> which, java.util.function.Consumer<Holder> action) {
        gauges.values().stream().filter(h -> target.equals(h.tags.stream().filter(tag -> tag.getKey().equals("target"))
                .map(io.micrometer.core.instrument.Tag::getValue).findFirst().orElse(null))).filter(which).forEach(action);
    }

    private static final class Holder {
        final String name;
        final Tags tags;
        volatile double value = Double.NaN;
        Gauge gauge;

        Holder(String name, Tags tags) {
            this.name = name;
            this.tags = tags;
        }
    }
}
