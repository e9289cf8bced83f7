package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.config.MonitorConfig;

import java.time.Duration;

/** The numbers the rules compare against, as plain values so the rules can be tested without Quarkus. */
public record RuleThresholds(
        double connectionWarnRatio,
        double connectionCriticalRatio,
        Duration longQueryWarning,
        Duration longQueryCritical,
        double deadTupleRatio,
        long minDeadTuples) {

    public RuleThresholds {
        if (!(connectionWarnRatio > 0 && connectionWarnRatio <= connectionCriticalRatio)) {
            throw new IllegalArgumentException("connection saturation ratios must satisfy 0 < warn-ratio <= critical-ratio, got "
                    + connectionWarnRatio + " and " + connectionCriticalRatio);
        }
        if (longQueryWarning.isNegative() || longQueryWarning.isZero() || longQueryCritical.compareTo(longQueryWarning) < 0) {
            throw new IllegalArgumentException("long query thresholds must satisfy 0 < threshold <= critical threshold, got "
                    + longQueryWarning + " and " + longQueryCritical);
        }
        if (!(deadTupleRatio > 0 && deadTupleRatio <= 1)) {
            throw new IllegalArgumentException("dead tuple ratio must be in (0, 1], got " + deadTupleRatio);
        }
    }

    public static RuleThresholds defaults() {
        return new RuleThresholds(0.8, 0.95, Duration.ofMinutes(5), Duration.ofMinutes(30), 0.2, 10_000);
    }

    public static RuleThresholds from(MonitorConfig config) {
        return new RuleThresholds(config.connectionSaturation().warnRatio(), config.connectionSaturation().criticalRatio(),
                config.longQueryThreshold(), config.longQueryCriticalThreshold(),
                config.deadTuples().ratio(), config.deadTuples().minDeadTuples());
    }
}
