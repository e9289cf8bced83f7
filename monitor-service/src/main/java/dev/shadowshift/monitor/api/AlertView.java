package dev.shadowshift.monitor.api;

import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.monitor.alerting.AlertStateMachine;
import dev.shadowshift.monitor.store.AlertEpisode;
import dev.shadowshift.monitor.store.AlertStateEntity;
import dev.shadowshift.monitor.rules.Severity;

import java.time.Instant;
import java.util.Map;

/**
 * An alert as the dashboard and the API show it: Alertmanager's fields, plus whether it is still pending, what holds
 * it back (a silence, the target being unreachable) and what was last measured.
 *
 * @param status      firing, pending (waiting out its for period) or resolved (history)
 * @param activeSince since when the condition has held (the pending period started)
 * @param lastSeenAt  the last poll that saw the condition
 */
public record AlertView(String fingerprint, String alertname, String target, String severity, String status,
                        Map<String, String> labels, Map<String, String> annotations, String summary, Double value,
                        Double threshold, Instant activeSince, Instant startsAt, Instant endsAt, Instant lastSeenAt,
                        String suppressedBy) {

    static AlertView of(AlertStateEntity e) {
        var s = e.toState();
        Severity severity = s.firing() != null ? s.firing()
                : s.criticalSince() != null ? Severity.CRITICAL : s.warningSince() != null ? Severity.WARNING : Severity.INFO;
        Map<String, String> labels = AlertStateMachine.labels(s.identity(), severity);
        Instant active = s.infoSince();
        return new AlertView(Alert.fingerprintOf(labels), s.alertname(), s.target(), severity.label(),
                s.firing() != null ? "firing" : "pending", labels, s.annotations(), s.annotations().get("summary"), s.value(),
                s.threshold(), active, s.firedAt(), null, s.lastSeenAt(), s.suppressedBy());
    }

    static AlertView of(AlertEpisode e) {
        return new AlertView(e.fingerprint, e.alertname, e.target, e.severity, e.endsAt == null ? "firing" : "resolved",
                e.labels, e.annotations, e.annotations == null ? null : e.annotations.get("summary"),
                null, null, null, e.startsAt, e.endsAt, null, null);
    }
}
