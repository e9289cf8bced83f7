package dev.shadowshift.monitor.alerting;

import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.monitor.rules.Rule;
import dev.shadowshift.monitor.store.AlertHistoryRepository;
import dev.shadowshift.monitor.store.AlertStateEntity;
import dev.shadowshift.monitor.store.AlertStateRepository;
import dev.shadowshift.monitor.store.RuleEvaluation;
import dev.shadowshift.monitor.store.SilenceRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies one evaluation to one target's alerts: lock the target, read its series and the silences, decide
 * ({@link AlertStateMachine}), remember, publish.
 *
 * <p>Order matters for trust. Everything happens in one state-database transaction that holds the target's lock;
 * notifications are published (and acknowledged by Kafka) before the commit. If publishing fails the transaction
 * rolls back and the next poll sees the old state and publishes again: a notification may be sent twice (with the
 * same event id), but a transition is never recorded without being announced. A restart reads the same rows, so an
 * alert that is already firing does not fire again and is still resolved when its condition goes away.
 */
@ApplicationScoped
public class AlertReconciler {

    private static final Logger LOG = Logger.getLogger(AlertReconciler.class);

    private final AlertStateRepository states;
    private final AlertHistoryRepository history;
    private final SilenceRepository silences;
    private final AlertPublisher publisher;

    public AlertReconciler(AlertStateRepository states, AlertHistoryRepository history, SilenceRepository silences,
                           AlertPublisher publisher) {
        this.states = states;
        this.history = history;
        this.silences = silences;
        this.publisher = publisher;
    }

    public Uni<AlertStateMachine.Outcome> reconcile(String target, String database, Set<Rule> decided,
                                                    Collection<dev.shadowshift.monitor.rules.Finding> findings,
                                                    RuleEvaluation evaluation, Instant now,
                                                    AlertStateMachine.Settings settings) {
        return Panache.withTransaction(() -> states.lockTarget(target)
                .chain(() -> states.forTarget(target))
                .chain(rows -> silences.notEnded(now).chain(active -> {
                    Map<String, AlertStateEntity> byId = new java.util.HashMap<>();
                    rows.forEach(r -> byId.put(r.series, r));
                    AlertStateMachine.Outcome outcome = AlertStateMachine.evaluate(target, database, decided, findings,
                            rows.stream().map(AlertStateEntity::toState).toList(), active, now, settings);
                    return persist(outcome, byId, evaluation, now)
                            .chain(() -> publish(target, outcome.notifications()))
                            .replaceWith(outcome);
                })));
    }

    private Uni<Void> persist(AlertStateMachine.Outcome outcome, Map<String, AlertStateEntity> byId,
                              RuleEvaluation evaluation, Instant now) {
        Uni<Void> chain = Panache.getSession().chain(s -> s.merge(evaluation)).replaceWithVoid();
        for (SeriesState s : outcome.keep()) {
            AlertStateEntity existing = byId.get(s.series());
            if (existing != null) {
                existing.set(s, now);
            } else {
                chain = chain.chain(() -> states.persist(new AlertStateEntity().set(s, now)).replaceWithVoid());
            }
        }
        for (String series : outcome.forget()) {
            AlertStateEntity existing = byId.get(series);
            if (existing != null) {
                chain = chain.chain(() -> states.delete(existing));
            }
        }
        for (AlertStateMachine.Episode e : outcome.episodes()) {
            SeriesState s = e.state();
            chain = e.open()
                    ? chain.chain(() -> history.open(e.fingerprint(), s.series(), s.alertname(), s.target(), e.severity().label(),
                            AlertStateMachine.labels(s.identity(), e.severity()), s.annotations(), e.startsAt()))
                    : chain.chain(() -> history.close(e.fingerprint(), s.annotations(), e.at()));
        }
        return chain;
    }

    private Uni<Void> publish(String target, List<AlertStateMachine.Notification> notifications) {
        if (notifications.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // in order, one at a time: a resolve of the old severity goes out before the fire of the new one
        return Multi.createFrom().iterable(notifications)
                .onItem().transformToUniAndConcatenate(n -> publisher.publish(n).invoke(() -> log(target, n)))
                .collect().asList().replaceWithVoid();
    }

    private static void log(String target, AlertStateMachine.Notification n) {
        Alert a = n.alert();
        if (n.reason() == AlertStateMachine.Reason.RESENT) {
            LOG.debugf("alert %s re-sent: %s", a.fingerprint(), a.summary());
        } else {
            LOG.infof("alert %s %s %s %s on %s: %s", a.fingerprint(), n.reason(), a.severity(), a.alertname(), target, a.summary());
        }
    }
}
