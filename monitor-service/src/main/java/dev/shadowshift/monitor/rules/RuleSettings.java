package dev.shadowshift.monitor.rules;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One rule's thresholds as plain numbers in the rule's base unit (seconds, fraction, count, bytes), so the rules
 * can be tested without Quarkus.
 *
 * @param warning  null when the rule has no warning level
 * @param critical null when the rule has no critical level
 * @param extras   the rule's own extra keys (e.g. {@code min-dead-tuples}), in their base unit
 */
public record RuleSettings(Rule rule, boolean enabled, Double warning, Double critical, Duration forPeriod,
                           Map<String, Double> extras) {

    public RuleSettings {
        extras = Map.copyOf(extras);
        if (forPeriod.isNegative()) {
            throw new IllegalArgumentException(key(rule, "for") + " must not be negative, got " + forPeriod);
        }
        if (warning != null && critical != null && rule.crosses(warning, critical) && !warning.equals(critical)) {
            throw new IllegalArgumentException(key(rule, "warning") + " (" + rule.unit.format(warning) + ") must be "
                    + (rule.direction == Rule.Direction.ABOVE ? "below " : "above ") + key(rule, "critical") + " ("
                    + rule.unit.format(critical) + ")");
        }
    }

    public static String key(Rule rule, String key) {
        return "shadowshift.monitor.rules." + rule.alertname() + "." + key;
    }

    /** The most severe level the value reaches, if any. */
    public Optional<Severity> severityOf(double value) {
        if (critical != null && rule.crosses(value, critical)) {
            return Optional.of(Severity.CRITICAL);
        }
        if (warning != null && rule.crosses(value, warning)) {
            return Optional.of(Severity.WARNING);
        }
        return Optional.empty();
    }

    public double threshold(Severity severity) {
        return severity == Severity.CRITICAL ? critical : warning;
    }

    public double extra(String name) {
        Double v = extras.get(name);
        if (v == null) {
            throw new IllegalStateException(rule.alertname() + " has no setting " + name);
        }
        return v;
    }

    /** "warning at 5 min, critical at 30 min", for descriptions. */
    public String levels() {
        String w = warning == null ? null : "warning at " + rule.unit.format(warning);
        String c = critical == null ? null : "critical at " + rule.unit.format(critical);
        return w == null ? (c == null ? "" : c) : (c == null ? w : w + ", " + c);
    }
}
