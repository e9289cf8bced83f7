package dev.shadowshift.monitor.rules;

import java.util.Map;

/**
 * Something a rule found in one poll.
 *
 * @param object      the labels that name what the finding is about, beyond the target (e.g. {@code relation},
 *                    {@code queryid}); with the rule, the target and the severity they are the alert's identity
 * @param summary     one line for a pager
 * @param description what was measured, against which threshold, and the details an engineer needs to act
 * @param value       the measured value, in the rule's base unit
 * @param threshold   the threshold crossed for this severity, null for rules without thresholds
 */
public record Finding(Rule rule, String target, Severity severity, Map<String, String> object, String summary,
                      String description, double value, Double threshold) {

    public Finding {
        object = Map.copyOf(object);
    }
}
