package dev.shadowshift.migration.metrics;

import dev.shadowshift.migration.plan.PlanState;
import dev.shadowshift.migration.store.PlanListener;
import dev.shadowshift.pg.TargetDatabases;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What /q/metrics says about migration plans, per target:
 * <ul>
 *   <li>{@code shadowshift_migration_plans_total{outcome}}: plans that reached an end (completed, failed, cancelled,
 *       rolled_back; a completed plan rolled back later counts once in each)</li>
 *   <li>{@code shadowshift_migration_plans_in_state{state}}: plans in each state now (awaiting_approval, running, ...), read
 *       from the state database, so that it survives restarts and is the same on every instance; not
 *       {@code shadowshift_migration_plans}, which Prometheus would take for the counter's family)</li>
 *   <li>{@code shadowshift_migration_rows_copied_total{table}}: rows the shadow backfill copied</li>
 * </ul>
 */
@ApplicationScoped
public class MigrationMetrics implements PlanListener {

    private static final Logger LOG = Logger.getLogger(MigrationMetrics.class);
    /** A scrape reads all gauges at once; one query serves them all. */
    private static final long COUNTS_MAX_AGE_NANOS = 5_000_000_000L;

    private final MeterRegistry registry;
    private final DataSource dataSource;
    private volatile Map<String, Long> counts = Map.of();
    private volatile long countedAt = System.nanoTime() - COUNTS_MAX_AGE_NANOS;

    public MigrationMetrics(MeterRegistry registry, DataSource dataSource, TargetDatabases targets) {
        this.registry = registry;
        this.dataSource = dataSource;
        for (String target : targets.names()) {
            for (PlanState state : PlanState.values()) {
                Gauge.builder("shadowshift.migration.plans.in.state", this, m -> m.count(target, state))
                        .description("Migration plans in each state now (from the state database)")
                        .tag("target", target).tag("state", label(state)).register(registry);
            }
        }
    }

    @Override
    public void entered(String target, PlanState state) {
        if (state.finished() && state != PlanState.NOTHING_TO_DO) {
            Counter.builder("shadowshift.migration.plans.total")
                    .description("Migration plans that reached an end, by outcome (completed, failed, cancelled, rolled_back)")
                    .tag("target", target).tag("outcome", label(state)).register(registry).increment();
        }
    }

    @Override
    public void rowsCopied(String target, String table, long rows) {
        Counter.builder("shadowshift.migration.rows.copied").description("Rows the shadow-table backfill copied")
                .tag("target", target).tag("table", table).register(registry).increment(rows);
    }

    private double count(String target, PlanState state) {
        if (System.nanoTime() - countedAt >= COUNTS_MAX_AGE_NANOS) {
            refresh();
        }
        return counts.getOrDefault(target + "\0" + state.name(), 0L);
    }

    private synchronized void refresh() {
        if (System.nanoTime() - countedAt < COUNTS_MAX_AGE_NANOS) {
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT target, status::text, count(*) FROM migration_plans GROUP BY 1, 2");
             ResultSet rs = ps.executeQuery()) {
            Map<String, Long> fresh = new ConcurrentHashMap<>();
            while (rs.next()) {
                fresh.put(rs.getString(1) + "\0" + rs.getString(2), rs.getLong(3));
            }
            counts = fresh;
        } catch (SQLException e) {
            LOG.warnf("cannot count the migration plans by state: %s", e.getMessage());
        }
        countedAt = System.nanoTime();
    }

    private static String label(PlanState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
