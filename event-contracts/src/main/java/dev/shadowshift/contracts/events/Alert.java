package dev.shadowshift.contracts.events;

import java.util.Map;

/**
 * An alert changed state.
 *
 * @param fingerprint stable across polls and restarts for the same rule, target and labels
 * @param status      FIRING or RESOLVED
 * @param severity    WARNING or CRITICAL
 */
public record Alert(
        String fingerprint,
        String rule,
        String status,
        String severity,
        String target,
        String summary,
        Map<String, String> labels,
        double value,
        double threshold,
        String startsAt,
        String endsAt) {
}
