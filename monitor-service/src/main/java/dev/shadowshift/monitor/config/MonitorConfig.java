package dev.shadowshift.monitor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * How often the monitor looks at each target, where alerts go, and every rule's thresholds. Every key is declared
 * here, so each can also be set from the environment: {@code shadowshift.monitor.rules.idle_in_transaction.warning}
 * is {@code SHADOWSHIFT_MONITOR_RULES_IDLE_IN_TRANSACTION_WARNING}. A rule's keys left unset take the defaults in
 * {@link dev.shadowshift.monitor.rules.Rule}.
 */
@ConfigMapping(prefix = "shadowshift.monitor")
public interface MonitorConfig {

    /** Time between two polls of one target. The scheduler reads the same property as {@code ${shadowshift.monitor.poll-interval}}. */
    @WithDefault("15s")
    Duration pollInterval();

    /**
     * How often a poll also reads what changes over hours and costs more to read on big databases: sequence values,
     * index usage and the database size (rules sequence_exhaustion, unused_index, database_size_growth).
     */
    @WithDefault("5m")
    Duration slowPollInterval();

    /** A firing alert is sent again this often, with the same labels and fingerprint. */
    @WithDefault("1m")
    Duration resendInterval();

    /** Where people reach this service: the base of the alerts' generatorURL and runbook_url. */
    @WithDefault("http://localhost:8084")
    String externalUrl();

    /** Per target, at most this many tables get per-table gauges (the ones with the most dead tuples). */
    @WithDefault("20")
    int metricsMaxTables();

    /** How long a poll waits for Kafka to acknowledge an alert before it gives up and tries again on the next poll. */
    @WithDefault("10s")
    Duration publishTimeout();

    /** statement_timeout of the monitor's sessions on the targets, so a sick target cannot hang a poll. */
    @WithDefault("10s")
    Duration queryTimeout();

    /** Connections the monitor keeps to each target; one poll uses one. */
    @WithDefault("2")
    int targetPoolSize();

    Alertmanager alertmanager();

    Rules rules();

    interface Alertmanager {
        /** An Alertmanager's base URL, e.g. {@code http://alertmanager:9093}; alerts are then also posted to its /api/v2/alerts. */
        Optional<URI> url();

        @WithDefault("5s")
        Duration timeout();
    }

    /** The keys every rule has. Thresholds are written in the rule's unit (see the README's rule table). */
    interface RuleKeys {
        @WithDefault("true")
        boolean enabled();

        Optional<String> warning();

        Optional<String> critical();

        /** How long the condition must hold before the alert fires. */
        @WithName("for")
        Optional<Duration> forPeriod();
    }

    interface MinDeadTuplesKeys extends RuleKeys {
        /** Tables with fewer dead tuples are left alone. */
        Optional<Long> minDeadTuples();
    }

    interface TableNotAnalyzedKeys extends RuleKeys {
        /** Tables with fewer changes since their last analyze are left alone. */
        Optional<Long> minModifiedRows();
    }

    interface RollbackRatioKeys extends RuleKeys {
        /** Polls that saw fewer transactions say nothing (a 1-in-2 ratio of two transactions is noise). */
        Optional<Long> minTransactions();
    }

    interface CacheHitRatioKeys extends RuleKeys {
        /** Polls that saw fewer block requests say nothing. */
        Optional<Long> minReads();
    }

    interface SlowQueriesKeys extends RuleKeys {
        /** Statements called fewer times since the previous poll are left alone. */
        Optional<Long> minCalls();
    }

    interface UnusedIndexKeys extends RuleKeys {
        /** Indexes smaller than this (e.g. 10M) are left alone. */
        Optional<String> minSize();
    }

    interface DatabaseSizeGrowthKeys extends RuleKeys {
        /** The growth is measured against the size this long ago. */
        Optional<Duration> window();

        /** Growth smaller than this (e.g. 1G) does not fire, whatever the ratio. */
        Optional<String> minGrowth();
    }

    interface MigrationImpactKeys extends RuleKeys {
        /** Statements writing to the plan's tables called fewer times since the previous poll are left alone. */
        Optional<Long> minCalls();

        /**
         * The application_name of migration-worker's sessions on the targets: their lock waits are not the writers'
         * and they are shown apart. Shadowshift's services connect as {@code shadowshift}.
         */
        @WithDefault("shadowshift")
        String workerApplication();
    }

    /** One group per rule, named as the rule's alertname. */
    interface Rules {
        @WithName("target_unreachable")
        RuleKeys targetUnreachable();

        @WithName("connection_saturation")
        RuleKeys connectionSaturation();

        @WithName("long_running_query")
        RuleKeys longRunningQuery();

        @WithName("idle_in_transaction")
        RuleKeys idleInTransaction();

        @WithName("blocked_queries")
        RuleKeys blockedQueries();

        @WithName("deadlocks")
        RuleKeys deadlocks();

        @WithName("rollback_ratio")
        RollbackRatioKeys rollbackRatio();

        @WithName("cache_hit_ratio")
        CacheHitRatioKeys cacheHitRatio();

        @WithName("temp_files")
        RuleKeys tempFiles();

        @WithName("slow_queries")
        SlowQueriesKeys slowQueries();

        @WithName("dead_tuple_ratio")
        MinDeadTuplesKeys deadTupleRatio();

        @WithName("table_not_vacuumed")
        MinDeadTuplesKeys tableNotVacuumed();

        @WithName("table_not_analyzed")
        TableNotAnalyzedKeys tableNotAnalyzed();

        @WithName("invalid_index")
        RuleKeys invalidIndex();

        @WithName("unused_index")
        UnusedIndexKeys unusedIndex();

        @WithName("sequence_exhaustion")
        RuleKeys sequenceExhaustion();

        @WithName("xid_wraparound")
        RuleKeys xidWraparound();

        @WithName("replication_lag")
        RuleKeys replicationLag();

        @WithName("replication_slot_inactive")
        RuleKeys replicationSlotInactive();

        @WithName("database_size_growth")
        DatabaseSizeGrowthKeys databaseSizeGrowth();

        @WithName("backup_too_old")
        RuleKeys backupTooOld();

        @WithName("backup_failed")
        RuleKeys backupFailed();

        @WithName("migration_stalled")
        RuleKeys migrationStalled();

        @WithName("migration_impact")
        MigrationImpactKeys migrationImpact();
    }
}
