package dev.shadowshift.monitor.alerting;

import dev.shadowshift.monitor.rules.Severity;

import java.time.Instant;
import java.util.Map;

/**
 * What the monitor remembers about one alert series between polls: one rule on one target about one object, at
 * whatever severity it currently has. The severity is part of Alertmanager's labels and so of the fingerprint, so an
 * escalation from warning to critical resolves the warning alert and fires the critical one.
 *
 * @param series         fingerprint of the identity labels without severity: the key of this state
 * @param identity       alertname, target, database and the object labels (no severity)
 * @param infoSince      since when the condition has held at info or worse, null while it does not
 * @param warningSince   since when it has held at warning or worse
 * @param criticalSince  since when it has held at critical
 * @param firing         the severity the alert fires at after its pending period, null while pending or resolved
 * @param firedAt        when it started firing at that severity (the alert's startsAt)
 * @param sent           the severity consumers were last told is firing, null when they were told it is not (or
 *                       nothing); differs from {@code firing} while the alert is silenced or inhibited
 * @param sentStartsAt   startsAt of what was sent
 * @param lastSentAt     when a firing notification was last sent (for the re-send interval)
 * @param annotations    summary and description of the latest finding
 * @param lastSeenAt     the last poll whose finding kept the condition alive
 * @param suppressedBy   why notifications are held back right now ("inhibited by target_unreachable", a silence id), or null
 */
public record SeriesState(
        String series,
        String alertname,
        String target,
        Map<String, String> identity,
        Instant infoSince,
        Instant warningSince,
        Instant criticalSince,
        Severity firing,
        Instant firedAt,
        Severity sent,
        Instant sentStartsAt,
        Instant lastSentAt,
        Map<String, String> annotations,
        double value,
        Double threshold,
        Instant lastSeenAt,
        String suppressedBy) {

    public SeriesState {
        identity = Map.copyOf(identity);
        annotations = Map.copyOf(annotations);
    }

    Instant since(Severity s) {
        return switch (s) {
            case INFO -> infoSince;
            case WARNING -> warningSince;
            case CRITICAL -> criticalSince;
        };
    }

    /** Nothing pending, firing or owed to consumers: the state can be forgotten. */
    boolean idle() {
        return infoSince == null && warningSince == null && criticalSince == null && firing == null && sent == null;
    }

    public boolean pending() {
        return firing == null && (infoSince != null || warningSince != null || criticalSince != null);
    }
}
