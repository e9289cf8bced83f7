package dev.shadowshift.monitor.alerting;

import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.monitor.rules.AlertCondition;
import dev.shadowshift.monitor.rules.AlertRules;
import dev.shadowshift.monitor.rules.Severity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.shadowshift.monitor.alerting.AlertStateMachine.Kind.FIRED;
import static dev.shadowshift.monitor.alerting.AlertStateMachine.Kind.RESOLVED;
import static dev.shadowshift.monitor.alerting.AlertStateMachine.Kind.SEVERITY_CHANGED;
import static dev.shadowshift.monitor.alerting.AlertStateMachine.Kind.STILL_FIRING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertStateMachineTest {

    private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
    private static final Instant T1 = T0.plusSeconds(15);
    private static final Instant T2 = T0.plusSeconds(30);

    private static AlertCondition slowQuery(Severity severity, int pid, double age) {
        return new AlertCondition(AlertRules.LONG_RUNNING_QUERY, "main", severity, Map.of(),
                Map.of("pid", Integer.toString(pid), "query", "SELECT pg_sleep(?)"), "slow", age, 300);
    }

    private static AlertCondition unreachable() {
        return new AlertCondition(AlertRules.TARGET_UNREACHABLE, "main", Severity.CRITICAL, Map.of(),
                Map.of("error", "refused"), "down", 1, 1);
    }

    private static List<ActiveAlert> firingAfter(List<AlertStateMachine.Change> changes) {
        return changes.stream().map(AlertStateMachine.Change::alert)
                .filter(a -> a.status() == ActiveAlert.Status.FIRING).toList();
    }

    @Test
    void newConditionFiresOnceThenStaysQuietWhileUnchanged() {
        List<AlertStateMachine.Change> first = AlertStateMachine.reconcile(AlertRules.ALL,
                List.of(slowQuery(Severity.WARNING, 1, 301)), List.of(), T0);
        assertEquals(1, first.size());
        assertEquals(FIRED, first.get(0).kind());
        assertTrue(first.get(0).kind().publishes());
        ActiveAlert fired = first.get(0).alert();
        assertEquals(T0, fired.startsAt());
        assertNull(fired.endsAt());

        // a different pid on the next poll is the same alert: no event, value and labels updated
        List<AlertStateMachine.Change> second = AlertStateMachine.reconcile(AlertRules.ALL,
                List.of(slowQuery(Severity.WARNING, 2, 316)), firingAfter(first), T1);
        assertEquals(STILL_FIRING, second.get(0).kind());
        assertFalse(second.get(0).kind().publishes());
        assertEquals(fired.fingerprint(), second.get(0).alert().fingerprint());
        assertEquals(T0, second.get(0).alert().startsAt());
        assertEquals(T1, second.get(0).alert().lastSeenAt());
        assertEquals("2", second.get(0).alert().labels().get("pid"));
        assertEquals(316, second.get(0).alert().value());
    }

    @Test
    void severityChangeFiresAgainWithTheSameFingerprintAndStart() {
        ActiveAlert warning = AlertStateMachine.reconcile(AlertRules.ALL, List.of(slowQuery(Severity.WARNING, 1, 301)),
                List.of(), T0).get(0).alert();
        AlertStateMachine.Change escalated = AlertStateMachine.reconcile(AlertRules.ALL,
                List.of(slowQuery(Severity.CRITICAL, 1, 1801)), List.of(warning), T1).get(0);
        assertEquals(SEVERITY_CHANGED, escalated.kind());
        assertTrue(escalated.kind().publishes());
        assertEquals(Severity.CRITICAL, escalated.alert().severity());
        assertEquals(warning.fingerprint(), escalated.alert().fingerprint());
        assertEquals(T0, escalated.alert().startsAt());
    }

    @Test
    void conditionGoneResolvesWithEndTime() {
        ActiveAlert fired = AlertStateMachine.reconcile(AlertRules.ALL, List.of(slowQuery(Severity.WARNING, 1, 301)),
                List.of(), T0).get(0).alert();
        List<AlertStateMachine.Change> changes = AlertStateMachine.reconcile(AlertRules.ALL, List.of(), List.of(fired), T2);
        assertEquals(1, changes.size());
        assertEquals(RESOLVED, changes.get(0).kind());
        ActiveAlert resolved = changes.get(0).alert();
        assertEquals(ActiveAlert.Status.RESOLVED, resolved.status());
        assertEquals(T2, resolved.endsAt());
        assertEquals(T0, resolved.startsAt());
        assertEquals(fired.fingerprint(), resolved.fingerprint());

        // nothing firing, nothing holding: nothing to say
        assertTrue(AlertStateMachine.reconcile(AlertRules.ALL, List.of(), List.of(), T2).isEmpty());
    }

    @Test
    void alertsRememberedFromBeforeARestartAreNotFiredAgain() {
        // what the store hands back after a restart is just the firing rows: same input, same decision
        ActiveAlert persisted = new ActiveAlert(slowQuery(Severity.WARNING, 1, 301).fingerprint(), AlertRules.LONG_RUNNING_QUERY,
                "main", Severity.WARNING, ActiveAlert.Status.FIRING, Map.of("pid", "1"), "slow", 301, 300, T0, null, T0);
        List<AlertStateMachine.Change> changes = AlertStateMachine.reconcile(AlertRules.ALL,
                List.of(slowQuery(Severity.WARNING, 1, 400)), List.of(persisted), T2);
        assertEquals(List.of(STILL_FIRING), changes.stream().map(AlertStateMachine.Change::kind).toList());
    }

    @Test
    void unreachableTargetKeepsOtherAlertsFiringAndResolvesWhenBack() {
        ActiveAlert slow = AlertStateMachine.reconcile(AlertRules.ALL, List.of(slowQuery(Severity.WARNING, 1, 301)),
                List.of(), T0).get(0).alert();

        List<AlertStateMachine.Change> down = AlertStateMachine.reconcile(Set.of(AlertRules.TARGET_UNREACHABLE),
                List.of(unreachable()), List.of(slow), T1);
        assertEquals(1, down.size(), "the slow-query alert is neither resolved nor touched: we cannot see it");
        assertEquals(FIRED, down.get(0).kind());
        assertEquals(AlertRules.TARGET_UNREACHABLE, down.get(0).alert().rule());

        List<ActiveAlert> firing = List.of(slow, down.get(0).alert());
        List<AlertStateMachine.Change> back = AlertStateMachine.reconcile(AlertRules.ALL, List.of(), firing, T2);
        assertEquals(2, back.size());
        assertTrue(back.stream().allMatch(c -> c.kind() == RESOLVED));
    }

    @Test
    void eventsFromTransitionsMatchTheAlertSchema() {
        ActiveAlert fired = AlertStateMachine.reconcile(AlertRules.ALL, List.of(slowQuery(Severity.WARNING, 1, 301)),
                List.of(), T0).get(0).alert();
        ActiveAlert resolved = AlertStateMachine.reconcile(AlertRules.ALL, List.of(), List.of(fired), T2).get(0).alert();
        for (ActiveAlert a : List.of(fired, resolved)) {
            String json = EventCodec.write(EventCodec.create(AlertPublisher.eventId(a), AlertPublisher.SOURCE,
                    a.fingerprint(), a.toEvent()));
            EventSchemas.parse(json, EventType.ALERT);
        }
        assertEquals(AlertPublisher.eventId(fired), AlertPublisher.eventId(fired), "a re-published transition keeps its id");
        assertFalse(AlertPublisher.eventId(fired).equals(AlertPublisher.eventId(resolved)));
    }
}
