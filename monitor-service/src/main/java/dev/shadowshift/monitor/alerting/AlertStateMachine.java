package dev.shadowshift.monitor.alerting;

import dev.shadowshift.monitor.rules.AlertCondition;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure logic: what the conditions of one poll mean for the alerts already firing for that target.
 * <ul>
 *   <li>condition with no firing alert -> {@link Kind#FIRED} (publish FIRING)</li>
 *   <li>condition whose alert fires at another severity -> {@link Kind#SEVERITY_CHANGED} (publish FIRING again)</li>
 *   <li>condition whose alert fires at the same severity -> {@link Kind#STILL_FIRING} (no event; remember the latest value)</li>
 *   <li>firing alert of a decided rule with no condition -> {@link Kind#RESOLVED} (publish RESOLVED with endsAt)</li>
 *   <li>firing alert of a rule this poll could not decide (target unreachable) -> untouched</li>
 * </ul>
 */
public final class AlertStateMachine {

    public enum Kind {
        FIRED, SEVERITY_CHANGED, STILL_FIRING, RESOLVED;

        public boolean publishes() {
            return this != STILL_FIRING;
        }
    }

    public record Change(Kind kind, ActiveAlert alert) {
    }

    private AlertStateMachine() {
    }

    /**
     * @param decidedRules the rules this poll can speak about; firing alerts of other rules keep their state
     * @param conditions   what holds now, for this target
     * @param firing       the alerts firing for this target before this poll
     */
    public static List<Change> reconcile(Set<String> decidedRules, Collection<AlertCondition> conditions,
                                         Collection<ActiveAlert> firing, Instant polledAt) {
        // the state database keeps microseconds; millisecond times read back exactly, so a FIRING event and the
        // RESOLVED event after a restart carry the very same startsAt
        Instant now = polledAt.truncatedTo(ChronoUnit.MILLIS);
        Map<String, AlertCondition> current = new LinkedHashMap<>();
        for (AlertCondition c : conditions) {
            // two conditions with one fingerprint cannot be told apart by a receiver: keep the more severe
            current.merge(c.fingerprint(), c, (a, b) -> b.severity().compareTo(a.severity()) > 0 ? b : a);
        }
        Map<String, ActiveAlert> before = new LinkedHashMap<>();
        for (ActiveAlert a : firing) {
            before.put(a.fingerprint(), a);
        }

        List<Change> changes = new ArrayList<>();
        for (AlertCondition c : current.values()) {
            ActiveAlert existing = before.get(c.fingerprint());
            if (existing == null) {
                changes.add(new Change(Kind.FIRED, ActiveAlert.firing(c, now)));
            } else if (existing.severity() != c.severity()) {
                changes.add(new Change(Kind.SEVERITY_CHANGED, existing.observedAgain(c, now)));
            } else {
                changes.add(new Change(Kind.STILL_FIRING, existing.observedAgain(c, now)));
            }
        }
        for (ActiveAlert a : before.values()) {
            if (!current.containsKey(a.fingerprint()) && decidedRules.contains(a.rule())) {
                changes.add(new Change(Kind.RESOLVED, a.resolved(now)));
            }
        }
        return changes;
    }
}
