package dev.shadowshift.monitor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How often the monitor looks at each target and when what it sees becomes an alert.
 * Every property can be set through the environment, e.g. {@code SHADOWSHIFT_MONITOR_POLL_INTERVAL=5s}.
 */
@ConfigMapping(prefix = "shadowshift.monitor")
public interface MonitorConfig {

    /** Time between two polls of one target. The scheduler reads the same property as {@code ${shadowshift.monitor.poll-interval}}. */
    @WithDefault("15s")
    Duration pollInterval();

    /** An active query older than this fires long_running_query as WARNING. */
    @WithDefault("5m")
    Duration longQueryThreshold();

    /** An active query older than this makes long_running_query CRITICAL. */
    @WithDefault("30m")
    Duration longQueryCriticalThreshold();

    ConnectionSaturation connectionSaturation();

    DeadTuples deadTuples();

    /** Per target, at most this many tables get a dead-tuple gauge (the ones with the most dead tuples). */
    @WithDefault("20")
    int metricsMaxTables();

    /** How long a poll waits for Kafka to acknowledge an alert event before it gives up and retries on the next poll. */
    @WithDefault("10s")
    Duration publishTimeout();

    /** Statement timeout for the monitor's own pg_stat queries, so a sick target cannot hang a poll. */
    @WithDefault("10s")
    Duration queryTimeout();

    interface ConnectionSaturation {
        /** used / max_connections at or above this is a WARNING. */
        @WithDefault("0.8")
        double warnRatio();

        /** used / max_connections at or above this is CRITICAL. */
        @WithDefault("0.95")
        double criticalRatio();
    }

    interface DeadTuples {
        /** n_dead_tup / (n_live_tup + n_dead_tup) at or above this fires dead_tuple_ratio ... */
        @WithDefault("0.2")
        double ratio();

        /** ... but only for tables with at least this many dead tuples, so small tables do not page anyone. */
        @WithDefault("10000")
        long minDeadTuples();
    }
}
