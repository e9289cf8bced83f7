package dev.shadowshift.monitor.alerting;

import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.monitor.rules.Finding;
import dev.shadowshift.monitor.rules.Rule;
import dev.shadowshift.monitor.rules.RuleBook;
import dev.shadowshift.monitor.rules.Severity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pending periods, firing, re-sending, severity changes, resolving, inhibition and silences, poll by poll. */
class AlertStateMachineTest {

    private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
    private static final Set<Rule> ALL = EnumSet.allOf(Rule.class);

    /** connection_saturation holds for 1 min by default; deadlocks fire at once. */
    private final AlertStateMachine.Settings settings = new AlertStateMachine.Settings(RuleBook.defaults(),
            Duration.ofMinutes(1), Duration.ofMinutes(4), "http://monitor:8084");

    /** The states between polls, as the store would keep them. */
    private List<SeriesState> states = new ArrayList<>();
    private List<Silence> silences = new ArrayList<>();

    private static Finding saturation(Severity s, double ratio) {
        return new Finding(Rule.CONNECTION_SATURATION, "main", s, Map.of(), "main: connections " + ratio,
                "connections " + ratio, ratio, s == Severity.CRITICAL ? 0.95 : 0.8);
    }

    private AlertStateMachine.Outcome poll(Instant at, Set<Rule> decided, Finding... findings) {
        AlertStateMachine.Outcome o = AlertStateMachine.evaluate("main", "shop", decided, List.of(findings), states, silences,
                at, settings);
        states = o.keep();
        return o;
    }

    private AlertStateMachine.Outcome poll(Instant at, Finding... findings) {
        return poll(at, ALL, findings);
    }

    private static Instant t(int seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void aConditionFiresOnlyAfterItsForPeriodThenIsResentThenResolves() {
        assertTrue(poll(t(0), saturation(Severity.WARNING, 0.85)).notifications().isEmpty(), "pending");
        assertTrue(states.get(0).pending());
        assertTrue(poll(t(30), saturation(Severity.WARNING, 0.86)).notifications().isEmpty(), "still pending at 30 s");

        AlertStateMachine.Outcome fired = poll(t(60), saturation(Severity.WARNING, 0.87));
        assertEquals(1, fired.notifications().size());
        Alert a = fired.notifications().get(0).alert();
        assertEquals(Alert.FIRING, a.status());
        assertEquals(Map.of("alertname", "connection_saturation", "severity", "warning", "target", "main", "database", "shop"),
                a.labels());
        assertEquals(Alert.fingerprintOf(a.labels()), a.fingerprint());
        assertEquals(t(60).toString(), a.startsAt(), "startsAt is when it started firing");
        assertEquals(t(60).plus(Duration.ofMinutes(4)).toString(), a.endsAt(), "valid until, unless sent again");
        assertEquals("http://monitor:8084/runbooks#connection_saturation", a.annotations().get("runbook_url"));
        assertEquals("0.87", a.annotations().get("value"));
        assertEquals(1, fired.episodes().size());
        assertTrue(fired.episodes().get(0).open());

        assertTrue(poll(t(90), saturation(Severity.WARNING, 0.88)).notifications().isEmpty(), "within the re-send interval");
        AlertStateMachine.Outcome resent = poll(t(120), saturation(Severity.WARNING, 0.88));
        assertEquals(AlertStateMachine.Reason.RESENT, resent.notifications().get(0).reason());
        assertEquals(a.fingerprint(), resent.notifications().get(0).alert().fingerprint());
        assertEquals(a.startsAt(), resent.notifications().get(0).alert().startsAt());
        assertNotEquals(fired.notifications().get(0).eventId(), resent.notifications().get(0).eventId());

        AlertStateMachine.Outcome resolved = poll(t(135));
        Alert r = resolved.notifications().get(0).alert();
        assertEquals(Alert.RESOLVED, r.status());
        assertEquals(a.fingerprint(), r.fingerprint());
        assertEquals(a.startsAt(), r.startsAt());
        assertEquals(t(135).toString(), r.endsAt());
        assertTrue(states.isEmpty(), "nothing left to remember");
        assertEquals(List.of(r.fingerprint()), resolved.episodes().stream().filter(e -> !e.open()).map(AlertStateMachine.Episode::fingerprint).toList());
    }

    @Test
    void aConditionThatGoesAwayWhilePendingNeverNotifies() {
        poll(t(0), saturation(Severity.WARNING, 0.85));
        AlertStateMachine.Outcome gone = poll(t(30));
        assertTrue(gone.notifications().isEmpty());
        assertTrue(gone.episodes().isEmpty());
        assertTrue(states.isEmpty());
    }

    @Test
    void criticalMustHoldForItsOwnPeriodAndThenReplacesTheWarning() {
        poll(t(0), saturation(Severity.WARNING, 0.85));
        Alert warning = poll(t(60), saturation(Severity.WARNING, 0.85)).notifications().get(0).alert();
        assertTrue(poll(t(70), saturation(Severity.CRITICAL, 0.97)).notifications().isEmpty(), "critical pending: no page yet");
        AlertStateMachine.Outcome escalated = poll(t(130), saturation(Severity.CRITICAL, 0.97));
        assertEquals(2, escalated.notifications().size());
        assertEquals(Alert.RESOLVED, escalated.notifications().get(0).alert().status());
        assertEquals(warning.fingerprint(), escalated.notifications().get(0).alert().fingerprint());
        Alert critical = escalated.notifications().get(1).alert();
        assertEquals("critical", critical.severity());
        assertNotEquals(warning.fingerprint(), critical.fingerprint(), "severity is a label, so part of the fingerprint");
        assertEquals(t(130).toString(), critical.startsAt());

        AlertStateMachine.Outcome back = poll(t(140), saturation(Severity.WARNING, 0.9));
        assertEquals(List.of(Alert.RESOLVED, Alert.FIRING), back.notifications().stream().map(n -> n.alert().status()).toList(),
                "back to warning at once: it has held all along");
        assertEquals("warning", back.notifications().get(1).alert().severity());
    }

    @Test
    void anUndecidedRuleKeepsItsAlertAndADecidedOneResolvesIt() {
        Finding deadlock = new Finding(Rule.DEADLOCKS, "main", Severity.WARNING, Map.of(), "1 deadlock", "1 deadlock", 1, 0.0);
        assertEquals(1, poll(t(0), deadlock).notifications().size(), "for 0 s: fires at once");
        assertTrue(poll(t(15), EnumSet.of(Rule.TARGET_UNREACHABLE)).notifications().isEmpty(), "undecided: kept");
        assertEquals(1, states.size());
        assertEquals(Alert.RESOLVED, poll(t(30)).notifications().get(0).alert().status());
    }

    @Test
    void targetUnreachableInhibitsTheTargetsOtherAlertsUntilItAnswers() {
        Finding backup = new Finding(Rule.BACKUP_FAILED, "main", Severity.WARNING, Map.of(), "backup failed", "disk full", 1, null);
        Finding down = new Finding(Rule.TARGET_UNREACHABLE, "main", Severity.CRITICAL, Map.of(), "down", "refused", 1, null);
        Set<Rule> whileDown = EnumSet.of(Rule.TARGET_UNREACHABLE, Rule.BACKUP_FAILED);
        AlertStateMachine.Outcome o = poll(t(0), whileDown, down, backup);
        assertEquals(List.of("target_unreachable"), o.notifications().stream().map(n -> n.alert().alertname()).toList());
        SeriesState held = states.stream().filter(s -> s.alertname().equals("backup_failed")).findFirst().orElseThrow();
        assertEquals(Severity.WARNING, held.firing(), "it fires, it is just not sent");
        assertEquals("inhibited by target_unreachable", held.suppressedBy());

        AlertStateMachine.Outcome up = poll(t(15), backup);
        assertEquals(List.of("target_unreachable/resolved", "backup_failed/firing"), up.notifications().stream()
                .map(n -> n.alert().alertname() + "/" + n.alert().status()).toList());
    }

    @Test
    void aSilenceHoldsBackMatchingAlertsAndTheirResolveStillGoesOut() {
        Finding deadlock = new Finding(Rule.DEADLOCKS, "main", Severity.WARNING, Map.of(), "1 deadlock", "1 deadlock", 1, 0.0);
        silences.add(new Silence(UUID.randomUUID(), List.of(new Silence.Matcher("alertname", "dead.*", true, true)),
                t(0), t(100), "oncall", "known batch job"));
        assertTrue(poll(t(10), deadlock).notifications().isEmpty());
        assertTrue(states.get(0).suppressedBy().startsWith("silence "));
        assertEquals(Alert.FIRING, poll(t(110), deadlock).notifications().get(0).alert().status(), "sent once the silence ended");
        assertEquals(Alert.RESOLVED, poll(t(120)).notifications().get(0).alert().status());
    }

    @Test
    void objectsAreSeparateAlertsAndTheSameTransitionKeepsItsEventId() {
        Finding a = new Finding(Rule.INVALID_INDEX, "main", Severity.WARNING, Map.of("relation", "public.a_idx"), "a", "a", 1, null);
        Finding b = new Finding(Rule.INVALID_INDEX, "main", Severity.WARNING, Map.of("relation", "public.b_idx"), "b", "b", 1, null);
        List<SeriesState> before = states;
        AlertStateMachine.Outcome first = poll(t(0), a, b);
        assertEquals(2, first.notifications().size());
        assertEquals("public.a_idx", first.notifications().get(0).alert().labels().get("relation"));
        states = before;
        AlertStateMachine.Outcome again = poll(t(0), a, b);
        assertEquals(first.notifications().get(0).eventId(), again.notifications().get(0).eventId(),
                "a retried poll (after a failed commit) publishes the same event");
        assertNull(Rule.of("no_such_rule").orElse(null));
        assertFalse(states.isEmpty());
    }
}
