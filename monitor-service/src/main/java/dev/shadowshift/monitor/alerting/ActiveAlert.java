package dev.shadowshift.monitor.alerting;

import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.monitor.rules.AlertCondition;
import dev.shadowshift.monitor.rules.Severity;

import java.time.Instant;
import java.util.Map;

/**
 * One alert episode as the monitor remembers it: from the poll where its condition first held until the poll
 * where it no longer did.
 */
public record ActiveAlert(
        String fingerprint,
        String rule,
        String target,
        Severity severity,
        Status status,
        Map<String, String> labels,
        String summary,
        double value,
        double threshold,
        Instant startsAt,
        Instant endsAt,
        Instant lastSeenAt) {

    public enum Status { FIRING, RESOLVED }

    static ActiveAlert firing(AlertCondition c, Instant now) {
        return new ActiveAlert(c.fingerprint(), c.rule(), c.target(), c.severity(), Status.FIRING, c.labels(), c.summary(),
                c.value(), c.threshold(), now, null, now);
    }

    /** The same episode with what the latest poll measured; start time and fingerprint stay. */
    ActiveAlert observedAgain(AlertCondition c, Instant now) {
        return new ActiveAlert(fingerprint, rule, target, c.severity(), Status.FIRING, c.labels(), c.summary(),
                c.value(), c.threshold(), startsAt, null, now);
    }

    ActiveAlert resolved(Instant now) {
        return new ActiveAlert(fingerprint, rule, target, severity, Status.RESOLVED, labels, summary, value, threshold,
                startsAt, now, lastSeenAt);
    }

    public Alert toEvent() {
        return new Alert(fingerprint, rule, status.name(), severity.name(), target, summary, labels, value, threshold,
                startsAt.toString(), endsAt == null ? null : endsAt.toString());
    }
}
