package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.config.MonitorConfig;
import io.quarkus.runtime.configuration.DurationConverter;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every rule's settings, read once at start-up. A bad value stops the service with the property's name and what
 * was expected, instead of failing every poll.
 */
public final class RuleBook {

    /** An extra key of one rule: its property name (kebab-case), unit and default. */
    public record Extra(String name, Unit unit, String defaultValue, String meaning) {
    }

    /** The extra keys, per rule. */
    public static final Map<Rule, List<Extra>> EXTRAS = extras();

    private final Map<Rule, RuleSettings> settings;

    private RuleBook(Map<Rule, RuleSettings> settings) {
        this.settings = settings;
    }

    public RuleSettings of(Rule rule) {
        return settings.get(rule);
    }

    public boolean enabled(Rule rule) {
        return settings.get(rule).enabled();
    }

    /** The defaults of {@link Rule}, for tests and for documentation. */
    public static RuleBook defaults() {
        return with(Map.of());
    }

    /** The defaults with some settings replaced, e.g. {@code "idle_in_transaction.warning" -> "2s"}: for tests. */
    public static RuleBook with(Map<String, String> overrides) {
        Map<Rule, RuleSettings> all = new EnumMap<>(Rule.class);
        for (Rule rule : Rule.values()) {
            String p = rule.alertname() + ".";
            Map<String, Optional<String>> extras = new LinkedHashMap<>();
            for (Extra e : EXTRAS.getOrDefault(rule, List.of())) {
                extras.put(e.name(), Optional.ofNullable(overrides.get(p + e.name())));
            }
            all.put(rule, settings(rule, !"false".equals(overrides.get(p + "enabled")),
                    Optional.ofNullable(overrides.get(p + "warning")), Optional.ofNullable(overrides.get(p + "critical")),
                    Optional.ofNullable(overrides.get(p + "for")).map(DurationConverter::parseDuration), extras));
        }
        return new RuleBook(all);
    }

    public static RuleBook from(MonitorConfig.Rules config) {
        Map<Rule, RuleSettings> all = new EnumMap<>(Rule.class);
        put(all, Rule.TARGET_UNREACHABLE, config.targetUnreachable(), Map.of());
        put(all, Rule.CONNECTION_SATURATION, config.connectionSaturation(), Map.of());
        put(all, Rule.LONG_RUNNING_QUERY, config.longRunningQuery(), Map.of());
        put(all, Rule.IDLE_IN_TRANSACTION, config.idleInTransaction(), Map.of());
        put(all, Rule.BLOCKED_QUERIES, config.blockedQueries(), Map.of());
        put(all, Rule.DEADLOCKS, config.deadlocks(), Map.of());
        put(all, Rule.ROLLBACK_RATIO, config.rollbackRatio(),
                Map.of("min-transactions", config.rollbackRatio().minTransactions().map(String::valueOf)));
        put(all, Rule.CACHE_HIT_RATIO, config.cacheHitRatio(),
                Map.of("min-reads", config.cacheHitRatio().minReads().map(String::valueOf)));
        put(all, Rule.TEMP_FILES, config.tempFiles(), Map.of());
        put(all, Rule.SLOW_QUERIES, config.slowQueries(), Map.of("min-calls", config.slowQueries().minCalls().map(String::valueOf)));
        put(all, Rule.DEAD_TUPLE_RATIO, config.deadTupleRatio(),
                Map.of("min-dead-tuples", config.deadTupleRatio().minDeadTuples().map(String::valueOf)));
        put(all, Rule.TABLE_NOT_VACUUMED, config.tableNotVacuumed(),
                Map.of("min-dead-tuples", config.tableNotVacuumed().minDeadTuples().map(String::valueOf)));
        put(all, Rule.TABLE_NOT_ANALYZED, config.tableNotAnalyzed(),
                Map.of("min-modified-rows", config.tableNotAnalyzed().minModifiedRows().map(String::valueOf)));
        put(all, Rule.INVALID_INDEX, config.invalidIndex(), Map.of());
        put(all, Rule.UNUSED_INDEX, config.unusedIndex(), Map.of("min-size", config.unusedIndex().minSize()));
        put(all, Rule.SEQUENCE_EXHAUSTION, config.sequenceExhaustion(), Map.of());
        put(all, Rule.XID_WRAPAROUND, config.xidWraparound(), Map.of());
        put(all, Rule.REPLICATION_LAG, config.replicationLag(), Map.of());
        put(all, Rule.REPLICATION_SLOT_INACTIVE, config.replicationSlotInactive(), Map.of());
        put(all, Rule.DATABASE_SIZE_GROWTH, config.databaseSizeGrowth(), Map.of(
                "window", config.databaseSizeGrowth().window().map(d -> d.toMillis() + "ms"),
                "min-growth", config.databaseSizeGrowth().minGrowth()));
        put(all, Rule.BACKUP_TOO_OLD, config.backupTooOld(), Map.of());
        put(all, Rule.BACKUP_FAILED, config.backupFailed(), Map.of());
        put(all, Rule.MIGRATION_STALLED, config.migrationStalled(), Map.of());
        put(all, Rule.MIGRATION_IMPACT, config.migrationImpact(),
                Map.of("min-calls", config.migrationImpact().minCalls().map(String::valueOf)));
        if (all.size() != Rule.values().length) {
            throw new IllegalStateException("a rule has no configuration group");
        }
        return new RuleBook(all);
    }

    private static void put(Map<Rule, RuleSettings> all, Rule rule, MonitorConfig.RuleKeys keys,
                            Map<String, Optional<String>> extras) {
        all.put(rule, settings(rule, keys.enabled(), keys.warning(), keys.critical(), keys.forPeriod(), extras));
    }

    static RuleSettings settings(Rule rule, boolean enabled, Optional<String> warning, Optional<String> critical,
                                 Optional<Duration> forPeriod, Map<String, Optional<String>> extras) {
        if (!rule.hasThresholds() && (warning.isPresent() || critical.isPresent())) {
            throw new IllegalArgumentException(rule.alertname() + " has no thresholds (it is always "
                    + rule.fixedSeverity.label() + "): remove " + RuleSettings.key(rule, warning.isPresent() ? "warning" : "critical"));
        }
        Double w = value(rule, "warning", warning.or(() -> Optional.ofNullable(rule.defaultWarning)));
        Double c = value(rule, "critical", critical.or(() -> Optional.ofNullable(rule.defaultCritical)));
        Map<String, Double> extraValues = new LinkedHashMap<>();
        for (Extra e : EXTRAS.getOrDefault(rule, List.of())) {
            String text = extras.getOrDefault(e.name(), Optional.empty()).orElse(e.defaultValue());
            try {
                extraValues.put(e.name(), e.unit().parse(text));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(RuleSettings.key(rule, e.name()) + ": " + ex.getMessage(), ex);
            }
        }
        return new RuleSettings(rule, enabled, w, c, forPeriod.orElse(DurationConverter.parseDuration(rule.defaultFor)),
                extraValues);
    }

    private static Double value(Rule rule, String key, Optional<String> text) {
        if (text.isEmpty() || text.get().isBlank() || text.get().equalsIgnoreCase("none")) {
            return null;
        }
        try {
            return rule.unit.parse(text.get());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(RuleSettings.key(rule, key) + ": " + e.getMessage(), e);
        }
    }

    private static Map<Rule, List<Extra>> extras() {
        Map<Rule, List<Extra>> m = new EnumMap<>(Rule.class);
        m.put(Rule.ROLLBACK_RATIO, List.of(new Extra("min-transactions", Unit.COUNT, "100",
                "transactions since the previous poll below which the rule says nothing")));
        m.put(Rule.CACHE_HIT_RATIO, List.of(new Extra("min-reads", Unit.COUNT, "1000",
                "block requests since the previous poll below which the rule says nothing")));
        m.put(Rule.SLOW_QUERIES, List.of(new Extra("min-calls", Unit.COUNT, "5",
                "calls of a statement since the previous poll below which it is left alone")));
        m.put(Rule.MIGRATION_IMPACT, List.of(new Extra("min-calls", Unit.COUNT, "5",
                "calls since the previous poll below which a statement writing to the plan's tables is left alone")));
        m.put(Rule.DEAD_TUPLE_RATIO, List.of(new Extra("min-dead-tuples", Unit.COUNT, "10000",
                "dead tuples below which a table is left alone")));
        m.put(Rule.TABLE_NOT_VACUUMED, List.of(new Extra("min-dead-tuples", Unit.COUNT, "1000",
                "dead tuples below which a table is left alone")));
        m.put(Rule.TABLE_NOT_ANALYZED, List.of(new Extra("min-modified-rows", Unit.COUNT, "1000",
                "rows changed since the last analyze below which a table is left alone")));
        m.put(Rule.UNUSED_INDEX, List.of(new Extra("min-size", Unit.BYTES, "10M", "indexes smaller than this are left alone")));
        m.put(Rule.DATABASE_SIZE_GROWTH, List.of(
                new Extra("window", Unit.DURATION, "1h", "the growth is measured against the size this long ago"),
                new Extra("min-growth", Unit.BYTES, "1G", "growth below this does not fire, whatever the ratio")));
        return m;
    }
}
