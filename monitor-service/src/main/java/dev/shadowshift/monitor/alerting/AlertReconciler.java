package dev.shadowshift.monitor.alerting;

import dev.shadowshift.monitor.rules.AlertCondition;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Applies one poll's conditions to one target's alerts: read the firing alerts, decide, publish, remember.
 *
 * <p>Order matters for trust. Everything happens in one state-database transaction that holds the target's lock;
 * events are published (and acknowledged) before the commit. If publishing fails the transaction rolls back and
 * the next poll sees the old state and publishes again: an alert may be sent twice (with the same event id), but a
 * transition is never recorded without being announced. A restart reads the same rows, so an alert that is
 * already firing does not fire again and is still resolved when its condition goes away.
 */
@ApplicationScoped
public class AlertReconciler {

    private static final Logger LOG = Logger.getLogger(AlertReconciler.class);

    private final AlertStore store;
    private final AlertPublisher publisher;

    public AlertReconciler(AlertStore store, AlertPublisher publisher) {
        this.store = store;
        this.publisher = publisher;
    }

    /** @return the alerts firing for the target after this poll */
    public int reconcile(String target, Set<String> decidedRules, List<AlertCondition> conditions, Instant now)
            throws SQLException {
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try {
                store.lockTarget(c, target);
                List<ActiveAlert> firing = store.firing(c, target);
                List<AlertStateMachine.Change> changes = AlertStateMachine.reconcile(decidedRules, conditions, firing, now);
                int stillFiring = 0;
                for (AlertStateMachine.Change change : changes) {
                    store.apply(c, change);
                    if (change.kind().publishes()) {
                        publisher.publish(change.alert());
                        LOG.infof("alert %s %s %s on %s: %s", change.alert().fingerprint(), change.kind(),
                                change.alert().severity(), target, change.alert().summary());
                    }
                    if (change.alert().status() == ActiveAlert.Status.FIRING) {
                        stillFiring++;
                    }
                }
                int untouched = (int) firing.stream()
                        .filter(a -> changes.stream().noneMatch(ch -> ch.alert().fingerprint().equals(a.fingerprint())))
                        .count();
                c.commit();
                return stillFiring + untouched;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
