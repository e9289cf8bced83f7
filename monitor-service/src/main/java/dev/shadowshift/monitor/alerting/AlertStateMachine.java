package dev.shadowshift.monitor.alerting;

import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.monitor.rules.Finding;
import dev.shadowshift.monitor.rules.Rule;
import dev.shadowshift.monitor.rules.RuleBook;
import dev.shadowshift.monitor.rules.Severity;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Pure logic: what one evaluation of a target means for its alert series, Prometheus' way.
 * <ul>
 *   <li>A finding starts a series pending; it fires once it has held for the rule's {@code for} period. Each severity
 *       keeps its own "since", so a spike to critical does not page before critical has held for the period too, and a
 *       drop back to warning switches at once.</li>
 *   <li>A firing alert is sent when it starts firing and again every re-send interval, with the same labels and
 *       fingerprint; a change of severity resolves the old alert and fires the new one.</li>
 *   <li>A series whose rule was decided and found nothing resolves; one whose rule could not be decided (the target
 *       was unreachable, no earlier poll to compare with) keeps its state.</li>
 *   <li>While {@code target_unreachable} fires for a target, that target's other alerts are inhibited; alerts matched
 *       by an active silence are silenced. Neither is sent; what consumers were told is caught up when the
 *       suppression ends.</li>
 * </ul>
 */
public final class AlertStateMachine {

    /** Settings that do not change between polls. */
    public record Settings(RuleBook rules, Duration resendInterval, Duration validFor, String externalUrl) {
    }

    public enum Reason { FIRED, RESENT, RESOLVED }

    /** An alert notification to send, with an id that is the same when the same transition is sent again. */
    public record Notification(Reason reason, String eventId, Alert alert) {
    }

    /** A firing episode opened (an alert started firing at a severity) or closed. */
    public record Episode(boolean open, String fingerprint, SeriesState state, Severity severity, Instant startsAt, Instant at) {
    }

    public record Outcome(List<SeriesState> keep, List<String> forget, List<Notification> notifications, List<Episode> episodes) {
    }

    private AlertStateMachine() {
    }

    public static Outcome evaluate(String target, String database, Set<Rule> decided, Collection<Finding> findings,
                                   Collection<SeriesState> before, Collection<Silence> silences, Instant polledAt,
                                   Settings settings) {
        // the state database keeps microseconds; millisecond times read back exactly, so every notification of one
        // alert carries the very same startsAt
        Instant now = polledAt.truncatedTo(ChronoUnit.MILLIS);
        Map<String, Finding> current = new LinkedHashMap<>();
        Map<String, Map<String, String>> identities = new LinkedHashMap<>();
        for (Finding f : findings) {
            Map<String, String> identity = identity(f, database);
            String series = Alert.fingerprintOf(identity);
            identities.put(series, identity);
            // two findings of one series cannot be told apart by a receiver: keep the more severe
            current.merge(series, f, (a, b) -> b.severity().compareTo(a.severity()) > 0 ? b : a);
        }
        Map<String, SeriesState> states = new TreeMap<>(Comparator.naturalOrder());
        for (SeriesState s : before) {
            states.put(s.series(), s);
        }
        for (String series : current.keySet()) {
            states.computeIfAbsent(series, k -> fresh(k, identities.get(k), current.get(k)));
        }

        List<SeriesState> keep = new ArrayList<>();
        List<String> forget = new ArrayList<>();
        List<Notification> notifications = new ArrayList<>();
        List<Episode> episodes = new ArrayList<>();

        // target_unreachable first: whether it fires decides whether the target's other alerts are inhibited
        List<SeriesState> ordered = new ArrayList<>(states.values());
        ordered.sort(Comparator.comparing((SeriesState s) -> !s.alertname().equals(Rule.TARGET_UNREACHABLE.alertname())));
        boolean inhibited = false;
        for (SeriesState s : ordered) {
            // a series of a rule that no longer exists (a newer version renamed it) is decided: it resolves
            Optional<Rule> rule = Rule.of(s.alertname());
            SeriesState next = advance(s, current.get(s.series()), rule.map(decided::contains).orElse(true),
                    rule.map(r -> settings.rules().of(r).forPeriod()).orElse(Duration.ZERO), now, episodes);
            String suppressedBy = null;
            if (next.firing() != null) {
                Map<String, String> labels = labels(next.identity(), next.firing());
                if (inhibited && !next.alertname().equals(Rule.TARGET_UNREACHABLE.alertname())) {
                    suppressedBy = "inhibited by target_unreachable";
                } else {
                    suppressedBy = silences.stream().filter(x -> x.silences(labels, now)).findFirst()
                            .map(x -> "silence " + x.id()).orElse(null);
                }
                if (next.alertname().equals(Rule.TARGET_UNREACHABLE.alertname())) {
                    inhibited = true;
                }
            }
            next = with(next, suppressedBy);
            if (suppressedBy == null) {
                next = notify(next, now, settings, notifications);
            }
            if (next.idle()) {
                forget.add(next.series());
            } else {
                keep.add(next);
            }
        }
        return new Outcome(keep, forget, notifications, episodes);
    }

    /** The labels that say which alert this is, without the severity. */
    static Map<String, String> identity(Finding f, String database) {
        Map<String, String> labels = new TreeMap<>(f.object());
        labels.put("alertname", f.rule().alertname());
        labels.put("target", f.target());
        if (database != null) {
            labels.put("database", database);
        }
        return labels;
    }

    public static Map<String, String> labels(Map<String, String> identity, Severity severity) {
        Map<String, String> labels = new TreeMap<>(identity);
        labels.put("severity", severity.label());
        return labels;
    }

    private static SeriesState fresh(String series, Map<String, String> identity, Finding f) {
        return new SeriesState(series, f.rule().alertname(), f.target(), identity, null, null, null, null, null, null,
                null, null, Map.of(), 0, null, null, null);
    }

    /** Pending periods and the firing severity after this evaluation; opens and closes episodes. */
    private static SeriesState advance(SeriesState s, Finding f, boolean decided, Duration forPeriod, Instant now,
                                       List<Episode> episodes) {
        if (f == null && !decided) {
            return s;
        }
        Instant info = null;
        Instant warning = null;
        Instant critical = null;
        if (f != null) {
            info = s.infoSince() != null ? s.infoSince() : now;
            warning = f.severity().compareTo(Severity.WARNING) >= 0 ? (s.warningSince() != null ? s.warningSince() : now) : null;
            critical = f.severity() == Severity.CRITICAL ? (s.criticalSince() != null ? s.criticalSince() : now) : null;
        }
        Severity firing = null;
        for (Severity level : new Severity[]{Severity.CRITICAL, Severity.WARNING, Severity.INFO}) {
            Instant since = level == Severity.CRITICAL ? critical : level == Severity.WARNING ? warning : info;
            if (since != null && !since.plus(forPeriod).isAfter(now)) {
                firing = level;
                break;
            }
        }
        Instant firedAt = s.firedAt();
        if (firing != s.firing()) {
            if (s.firing() != null) {
                episodes.add(new Episode(false, Alert.fingerprintOf(labels(s.identity(), s.firing())), s, s.firing(), s.firedAt(), now));
            }
            firedAt = firing == null ? null : now;
        }
        Map<String, String> annotations = s.annotations();
        double value = s.value();
        Double threshold = s.threshold();
        Instant seen = s.lastSeenAt();
        if (f != null) {
            annotations = new LinkedHashMap<>();
            annotations.put("summary", f.summary());
            annotations.put("description", f.description());
            annotations.put("value", plain(f.value()));
            if (f.threshold() != null) {
                annotations.put("threshold", plain(f.threshold()));
            }
            value = f.value();
            threshold = f.threshold();
            seen = now;
        }
        SeriesState next = new SeriesState(s.series(), s.alertname(), s.target(), s.identity(), info, warning, critical,
                firing, firedAt, s.sent(), s.sentStartsAt(), s.lastSentAt(), annotations, value, threshold, seen,
                s.suppressedBy());
        if (firing != null && firing != s.firing()) {
            episodes.add(new Episode(true, Alert.fingerprintOf(labels(s.identity(), firing)), next, firing, now, now));
        }
        return next;
    }

    /** Brings consumers up to date: resolve what they believe fires and no longer does, fire, re-send. */
    private static SeriesState notify(SeriesState s, Instant now, Settings settings, List<Notification> out) {
        Severity sent = s.sent();
        Instant sentStartsAt = s.sentStartsAt();
        Instant lastSentAt = s.lastSentAt();
        if (sent != null && (sent != s.firing() || !sentStartsAt.equals(s.firedAt()))) {
            out.add(notification(Reason.RESOLVED, s, sent, sentStartsAt, now, now, settings));
            sent = null;
            sentStartsAt = null;
            lastSentAt = null;
        }
        if (s.firing() != null) {
            boolean due = sent == null || !lastSentAt.plus(settings.resendInterval()).isAfter(now);
            if (due) {
                out.add(notification(sent == null ? Reason.FIRED : Reason.RESENT, s, s.firing(), s.firedAt(),
                        now.plus(settings.validFor()), now, settings));
                sent = s.firing();
                sentStartsAt = s.firedAt();
                lastSentAt = now;
            }
        }
        return new SeriesState(s.series(), s.alertname(), s.target(), s.identity(), s.infoSince(), s.warningSince(),
                s.criticalSince(), s.firing(), s.firedAt(), sent, sentStartsAt, lastSentAt, s.annotations(), s.value(),
                s.threshold(), s.lastSeenAt(), s.suppressedBy());
    }

    private static SeriesState with(SeriesState s, String suppressedBy) {
        return new SeriesState(s.series(), s.alertname(), s.target(), s.identity(), s.infoSince(), s.warningSince(),
                s.criticalSince(), s.firing(), s.firedAt(), s.sent(), s.sentStartsAt(), s.lastSentAt(), s.annotations(),
                s.value(), s.threshold(), s.lastSeenAt(), suppressedBy);
    }

    private static Notification notification(Reason reason, SeriesState s, Severity severity, Instant startsAt,
                                             Instant endsAt, Instant now, Settings settings) {
        Map<String, String> labels = labels(s.identity(), severity);
        String fingerprint = Alert.fingerprintOf(labels);
        Map<String, String> annotations = new TreeMap<>(s.annotations());
        if (reason == Reason.RESOLVED && !annotations.isEmpty()) {
            annotations.put("summary", "resolved: " + annotations.getOrDefault("summary", s.alertname()));
        }
        annotations.putIfAbsent("summary", s.alertname() + " on " + s.target());
        annotations.putIfAbsent("description", s.alertname() + " on " + s.target());
        annotations.put("runbook_url", settings.externalUrl() + "/runbooks#" + s.alertname());
        String status = reason == Reason.RESOLVED ? Alert.RESOLVED : Alert.FIRING;
        Alert alert = new Alert(status, labels, annotations, startsAt.toString(), endsAt.toString(),
                settings.externalUrl() + "/?target=" + urlPart(s.target()) + "#alert-" + fingerprint, fingerprint);
        String cause = String.join("|", fingerprint, status, startsAt.toString(), reason == Reason.RESENT ? now.toString() : "");
        return new Notification(reason, UUID.nameUUIDFromBytes(cause.getBytes(StandardCharsets.UTF_8)).toString(), alert);
    }

    private static String urlPart(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Numbers as a receiver parses them back: no exponent, no trailing zeros. */
    static String plain(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** "warning for 2 min, pending critical for 30 s", for the dashboard. */
    public static String describe(SeriesState s) {
        if (s.firing() != null) {
            return s.firing().label() + " since " + s.firedAt();
        }
        Severity level = s.criticalSince() != null ? Severity.CRITICAL : s.warningSince() != null ? Severity.WARNING : Severity.INFO;
        Instant since = s.since(level);
        return since == null ? "resolved" : "pending " + level.label() + " since " + since;
    }
}
