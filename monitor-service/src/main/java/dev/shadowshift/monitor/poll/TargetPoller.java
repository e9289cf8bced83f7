package dev.shadowshift.monitor.poll;

import dev.shadowshift.monitor.alerting.AlertReconciler;
import dev.shadowshift.monitor.config.MonitorConfig;
import dev.shadowshift.monitor.rules.AlertCondition;
import dev.shadowshift.monitor.rules.AlertRules;
import dev.shadowshift.monitor.rules.RuleThresholds;
import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.SnapshotReader;
import dev.shadowshift.pg.TargetDatabases;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The monitor's flow, once per interval and target: read a snapshot -> evaluate the rules -> reconcile alerts
 * (publish transitions, remember state) -> record metrics.
 *
 * <p>Each target is polled on its own worker so that one slow or unreachable target (connect timeout) does not
 * delay the others, and a target whose previous poll is still running is skipped for this tick rather than
 * polled twice at once. Nothing a poll does can stop the scheduler: every failure is caught, logged and counted.
 */
@ApplicationScoped
public class TargetPoller {

    private static final Logger LOG = Logger.getLogger(TargetPoller.class);

    private final TargetDatabases targets;
    private final SnapshotReader reader;
    private final AlertRules rules;
    private final MonitorConfig config;
    private final AlertReconciler reconciler;
    private final MonitorMetrics metrics;
    private final LatestSnapshots latest;
    private final Map<String, AtomicBoolean> inFlight = new ConcurrentHashMap<>();
    private final ExecutorService workers;

    public TargetPoller(TargetDatabases targets, SnapshotReader reader, MonitorConfig config, AlertReconciler reconciler,
                        MonitorMetrics metrics, LatestSnapshots latest) {
        this.targets = targets;
        this.reader = reader;
        this.rules = new AlertRules(RuleThresholds.from(config));
        this.config = config;
        this.reconciler = reconciler;
        this.metrics = metrics;
        this.latest = latest;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "monitor-poll-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Scheduled(identity = "monitor-poll", every = "${shadowshift.monitor.poll-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        for (String target : targets.names()) {
            AtomicBoolean running = inFlight.computeIfAbsent(target, t -> new AtomicBoolean());
            if (!running.compareAndSet(false, true)) {
                LOG.debugf("previous poll of %s still running; skipping this tick", target);
                continue;
            }
            try {
                workers.execute(() -> {
                    try {
                        poll(target);
                    } finally {
                        running.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                running.set(false); // shutting down
            }
        }
    }

    /** One poll of one target. Public so tests and operators' tooling can trigger it; never throws. */
    public void poll(String target) {
        try {
            PollResult result = reader.read(target);
            latest.put(result);
            metrics.recorded(result);
            List<AlertCondition> conditions = rules.evaluate(result);
            int firing = reconciler.reconcile(target, AlertRules.decidedBy(result), conditions, result.at());
            metrics.firingAlerts(target, firing);
        } catch (Exception | LinkageError e) {
            // the state DB or Kafka is down: the alert state stays as it was and the next poll tries again
            LOG.errorf(e, "poll of target %s failed; alert state unchanged, retrying next interval", target);
        }
    }

    /** Creating this bean at startup checks the thresholds, so a bad setting stops the service instead of every poll. */
    void start(@Observes StartupEvent event) {
        LOG.infof("polling targets %s every %s; long query threshold %s (critical %s); connection saturation %s/%s; "
                        + "dead tuples %s with at least %d", targets.names(), config.pollInterval(), config.longQueryThreshold(),
                config.longQueryCriticalThreshold(), config.connectionSaturation().warnRatio(),
                config.connectionSaturation().criticalRatio(), config.deadTuples().ratio(), config.deadTuples().minDeadTuples());
    }

    void stop(@Observes ShutdownEvent event) {
        workers.shutdownNow();
    }
}
