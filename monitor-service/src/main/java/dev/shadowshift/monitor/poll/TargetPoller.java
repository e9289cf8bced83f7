package dev.shadowshift.monitor.poll;

import dev.shadowshift.monitor.alerting.AlertReconciler;
import dev.shadowshift.monitor.alerting.AlertStateMachine;
import dev.shadowshift.monitor.alerting.AlertmanagerClient;
import dev.shadowshift.monitor.config.MonitorConfig;
import dev.shadowshift.monitor.dashboard.DashboardFeed;
import dev.shadowshift.monitor.rules.AlertRules;
import dev.shadowshift.monitor.rules.Rule;
import dev.shadowshift.monitor.rules.RuleBook;
import dev.shadowshift.monitor.snapshot.EventFacts;
import dev.shadowshift.monitor.snapshot.PollHistory;
import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.SnapshotReader;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import dev.shadowshift.monitor.store.BackupStatusRepository;
import dev.shadowshift.monitor.store.MigrationProgressRepository;
import dev.shadowshift.monitor.store.PlanTablesRepository;
import dev.shadowshift.monitor.store.RuleEvaluation;
import dev.shadowshift.monitor.store.RuleEvaluationRepository;
import dev.shadowshift.pg.TargetDatabases;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The monitor's flow, once per interval and target: read the target -> evaluate the rules -> reconcile the alerts
 * (publish, remember) -> metrics, dashboard, Alertmanager. Every step is non-blocking: the reads go through the
 * target's Vert.x pool, the state through Hibernate Reactive, the notifications through the Kafka emitter.
 *
 * <p>Each target's poll runs on its own Vert.x context and nothing waits for another target: a slow or unreachable
 * target delays only its own poll. A target whose previous poll is still running is skipped for this tick rather
 * than polled twice at once. Nothing a poll does can stop the scheduler: every failure is caught, logged and counted.
 */
@ApplicationScoped
public class TargetPoller {

    private static final Logger LOG = Logger.getLogger(TargetPoller.class);
    private static final int MAX_SIZE_SAMPLES = 24;

    private final TargetDatabases targets;
    private final SnapshotReader reader;
    private final AlertRules rules;
    private final MonitorConfig config;
    private final AlertReconciler reconciler;
    private final AlertmanagerClient alertmanager;
    private final MonitorMetrics metrics;
    private final DashboardFeed feed;
    private final RuleEvaluationRepository evaluations;
    private final BackupStatusRepository backups;
    private final MigrationProgressRepository migrations;
    private final PlanTablesRepository plans;
    private final AlertStateMachine.Settings settings;
    private final SnapshotReader.Cutoffs cutoffs;
    private final Vertx vertx;
    private final Map<String, AtomicBoolean> inFlight = new ConcurrentHashMap<>();
    /** pg_stat_statements totals of the previous poll, per target: thousands of rows, not worth a database write per poll */
    private final Map<String, Map<Long, PollHistory.StatementTotals>> statements = new ConcurrentHashMap<>();

    public TargetPoller(TargetDatabases targets, SnapshotReader reader, MonitorConfig config, AlertReconciler reconciler,
                        AlertmanagerClient alertmanager, MonitorMetrics metrics, DashboardFeed feed,
                        RuleEvaluationRepository evaluations, BackupStatusRepository backups,
                        MigrationProgressRepository migrations, PlanTablesRepository plans, Vertx vertx) {
        this.plans = plans;
        this.vertx = vertx;
        this.targets = targets;
        this.reader = reader;
        RuleBook book = RuleBook.from(config.rules());
        this.rules = new AlertRules(book, config.rules().migrationImpact().workerApplication());
        this.config = config;
        this.reconciler = reconciler;
        this.alertmanager = alertmanager;
        this.metrics = metrics;
        this.feed = feed;
        this.evaluations = evaluations;
        this.backups = backups;
        this.migrations = migrations;
        Duration validFor = config.resendInterval().multipliedBy(4);
        if (validFor.compareTo(config.pollInterval().multipliedBy(3)) < 0) {
            validFor = config.pollInterval().multipliedBy(3);
        }
        String base = config.externalUrl().endsWith("/") ? config.externalUrl().substring(0, config.externalUrl().length() - 1)
                : config.externalUrl();
        this.settings = new AlertStateMachine.Settings(book, config.resendInterval(), validFor, base);
        double sequenceCutoff = Math.min(
                Optional.ofNullable(book.of(Rule.SEQUENCE_EXHAUSTION).warning()).orElse(1.0),
                Optional.ofNullable(book.of(Rule.SEQUENCE_EXHAUSTION).critical()).orElse(1.0));
        long xidCutoff = (long) Math.min(Optional.ofNullable(book.of(Rule.XID_WRAPAROUND).warning()).orElse(Double.MAX_VALUE),
                Optional.ofNullable(book.of(Rule.XID_WRAPAROUND).critical()).orElse(Double.MAX_VALUE));
        this.cutoffs = new SnapshotReader.Cutoffs(sequenceCutoff, (long) book.of(Rule.UNUSED_INDEX).extra("min-size"), xidCutoff);
    }

    public AlertRules rules() {
        return rules;
    }

    @Scheduled(identity = "monitor-poll", every = "${shadowshift.monitor.poll-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        targets.names().forEach(this::dispatch);
        return Uni.createFrom().voidItem();
    }

    private void dispatch(String target) {
        AtomicBoolean running = inFlight.computeIfAbsent(target, t -> new AtomicBoolean());
        if (!running.compareAndSet(false, true)) {
            LOG.debugf("previous poll of %s still running; skipping this tick", target);
            return;
        }
        try {
            // a context of its own: the reactive session of one target's poll is never shared with another's
            Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
            VertxContextSafetyToggle.setContextSafe(context, true);
            context.runOnContext(v -> poll(target).subscribe().with(x -> running.set(false), e -> {
                running.set(false);
                LOG.errorf(e, "poll of target %s failed", target);
            }));
        } catch (RuntimeException e) {
            running.set(false);
            LOG.errorf(e, "could not start the poll of target %s", target);
        }
    }

    /** One poll of one target; never fails (a failure is logged, and the alert state stays as it was). */
    public Uni<Void> poll(String target) {
        String database = targets.endpoint(target).database();
        return Panache.withSession(() -> evaluations.findById(target)
                        .chain(previous -> facts(target).map(facts -> new Inputs(previous, facts))))
                .chain(ctx -> {
                    boolean slow = ctx.previous == null || ctx.previous.slowReadAt == null
                            || !ctx.previous.slowReadAt.plus(config.slowPollInterval()).isAfter(Instant.now());
                    LOG.debugf("poll of %s: reading%s", target, slow ? " (with the slow reads)" : "");
                    return reader.read(target, slow, cutoffs, ctx.facts.watchedTables()).chain(result -> evaluate(result, ctx)
                            .invoke(eval -> LOG.debugf("poll of %s: read in %d ms, %d findings", target,
                                    result.took().toMillis(), eval.findings().size()))
                            .chain(eval -> reconcile(target, database, result, ctx, eval)));
                })
                .onFailure().recoverWithItem(e -> {
                    // the state DB or Kafka is down: the alert state stays as it was and the next poll tries again
                    LOG.errorf("poll of target %s failed; alert state unchanged, retrying next interval: %s", target,
                            e.getMessage());
                    return null;
                })
                .replaceWithVoid();
    }

    private record Inputs(RuleEvaluation previous, EventFacts facts) {
    }

    private Uni<EventFacts> facts(String target) {
        return backups.findById(target).chain(b -> migrations.running(target).chain(running -> plans.of(running.stream()
                .map(m -> m.planId).toList()).map(tables -> new EventFacts(
                Optional.ofNullable(b == null ? null : b.lastCompletedAt),
                b == null || b.lastFailedAt == null ? Optional.empty()
                        : Optional.of(new EventFacts.BackupFailure(b.lastFailedAt, b.lastFailedReason)),
                running.stream().map(m -> new EventFacts.RunningPlan(m.planId, m.phase, m.message, m.eventTime,
                        tables.get(m.planId))).toList()))));
    }

    private PollHistory history(String target, RuleEvaluation previous) {
        Optional<PollHistory.Previous> before = previous == null || previous.stats == null ? Optional.empty()
                : Optional.of(new PollHistory.Previous(previous.evaluatedAt, previous.stats));
        return new PollHistory(before, Optional.ofNullable(statements.get(target)),
                previous == null ? List.of() : previous.sizeSamples());
    }

    /** The rules, and once more with the statements' texts when slow_queries found some (texts are read only then). */
    private Uni<AlertRules.Evaluation> evaluate(PollResult result, Inputs ctx) {
        PollHistory history = history(result.target(), ctx.previous);
        Instant now = result.at();
        AlertRules.Evaluation eval = rules.evaluate(result, history, ctx.facts, now);
        List<Long> slow = eval.findings().stream().filter(f -> f.rule() == Rule.SLOW_QUERIES && f.object().containsKey("queryid"))
                .map(f -> Long.parseLong(f.object().get("queryid"))).toList();
        if (slow.isEmpty() || !(result instanceof PollResult.Reached reached)) {
            return Uni.createFrom().item(eval);
        }
        return reader.statementTexts(result.target(), slow).map(texts -> {
            TargetSnapshot s = reached.snapshot();
            List<TargetSnapshot.Statement> rows = s.statements().rows().stream()
                    .map(st -> new TargetSnapshot.Statement(st.queryId(), st.calls(), st.totalMillis(),
                            texts.getOrDefault(st.queryId(), st.query())))
                    .toList();
            TargetSnapshot withTexts = new TargetSnapshot(s.target(), s.database(), s.takenAt(), s.inRecovery(),
                    s.seesAllSessions(), s.maxConnections(), s.connectionsUsed(), s.connectionsByState(), s.stats(),
                    s.sessions(), s.tables(), s.invalidIndexes(), s.oldestTable(), s.standbyReplayLagSeconds(), s.standbys(),
                    s.inactiveSlots(), new TargetSnapshot.Statements(true, null, rows), s.slow());
            return rules.evaluate(new PollResult.Reached(withTexts, reached.took()), history, ctx.facts, now);
        });
    }

    private Uni<Void> reconcile(String target, String database, PollResult result, Inputs ctx, AlertRules.Evaluation eval) {
        Instant now = result.at();
        RuleEvaluation next = nextEvaluation(target, result, ctx.previous, eval, now);
        return reconciler.reconcile(target, database, eval.decided(), eval.findings(), next, now, settings)
                .invoke(outcome -> {
                    if (result instanceof PollResult.Reached reached && reached.snapshot().statements().available()) {
                        Map<Long, PollHistory.StatementTotals> totals = new LinkedHashMap<>();
                        reached.snapshot().statements().rows().forEach(st -> totals.put(st.queryId(),
                                new PollHistory.StatementTotals(st.calls(), st.totalMillis())));
                        statements.put(target, totals);
                    } else if (result instanceof PollResult.Reached) {
                        statements.remove(target);
                    }
                    metrics.recorded(result);
                    metrics.alerts(target, outcome.keep());
                    outcome.notifications().forEach(n -> metrics.notified(target, n.reason().name().toLowerCase()));
                    metrics.impacts(target, eval.impacts());
                    feed.polled(result, next, eval.impacts());
                })
                .invoke(outcome -> LOG.debugf("poll of %s: reconciled, %d notifications", target, outcome.notifications().size()))
                .chain(outcome -> alertmanager.post(outcome.notifications().stream().map(AlertStateMachine.Notification::alert).toList()));
    }

    private RuleEvaluation nextEvaluation(String target, PollResult result, RuleEvaluation previous,
                                          AlertRules.Evaluation eval, Instant now) {
        RuleEvaluation e = new RuleEvaluation();
        e.target = target;
        e.evaluatedAt = now;
        e.reachable = result instanceof PollResult.Reached;
        Map<String, RuleEvaluation.Outcome> outcomes = new LinkedHashMap<>();
        for (Rule r : Rule.values()) {
            int n = (int) eval.findings().stream().filter(f -> f.rule() == r).count();
            String status = !rules.book().enabled(r) ? "disabled" : eval.decided().contains(r) ? "decided" : "undecided";
            outcomes.put(r.alertname(), new RuleEvaluation.Outcome(status, n, eval.notes().get(r)));
        }
        e.outcomes = outcomes;
        e.stats = previous == null ? null : previous.stats;
        e.sizes = previous == null ? null : previous.sizes;
        e.slowReadAt = previous == null ? null : previous.slowReadAt;
        if (result instanceof PollResult.Reached reached) {
            TargetSnapshot s = reached.snapshot();
            e.stats = s.stats();
            s.slow().ifPresent(slow -> {
                e.slowReadAt = now;
                slow.databaseSizeBytes().ifPresent(size -> e.sizes = new RuleEvaluation.Sizes(
                        sizes(previous == null ? List.of() : previous.sizeSamples(), new PollHistory.SizeSample(now, size))));
            });
        }
        return e;
    }

    /** Keeps the samples of the growth window, at most {@value #MAX_SIZE_SAMPLES} of them, evenly spread. */
    private List<PollHistory.SizeSample> sizes(List<PollHistory.SizeSample> before, PollHistory.SizeSample now) {
        Duration window = Duration.ofMillis((long) (rules.book().of(Rule.DATABASE_SIZE_GROWTH).extra("window") * 1000));
        Duration spacing = window.dividedBy(MAX_SIZE_SAMPLES);
        List<PollHistory.SizeSample> kept = new ArrayList<>();
        for (PollHistory.SizeSample s : before) {
            if (!s.at().isBefore(now.at().minus(window).minus(spacing))
                    && (kept.isEmpty() || !kept.get(kept.size() - 1).at().plus(spacing).isAfter(s.at()))) {
                kept.add(s);
            }
        }
        kept.add(now);
        return kept;
    }

    /** Creating this bean at start-up checks every rule's settings, so a bad one stops the service, not every poll. */
    void start(@Observes StartupEvent event) {
        LOG.infof("polling targets %s every %s (slow reads every %s); firing alerts re-sent every %s%s",
                targets.names(), config.pollInterval(), config.slowPollInterval(), config.resendInterval(),
                alertmanager.enabled() ? "; also posted to Alertmanager at " + config.alertmanager().url().get() : "");
        List<String> disabled = new ArrayList<>();
        for (Rule r : Rule.values()) {
            if (!rules.book().enabled(r)) {
                disabled.add(r.alertname());
            }
        }
        if (!disabled.isEmpty()) {
            LOG.infof("rules disabled by configuration: %s", disabled);
        }
    }
}
