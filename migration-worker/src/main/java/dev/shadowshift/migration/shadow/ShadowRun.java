package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.plan.PlanControl;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.support.SqlErrors;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * One run of one table's rebuild, as its phases share it: the names, the target session (which holds the table's
 * advisory lock), the original's shape, the checkpoint, the progress reporter, and the run's services: short-lock
 * transactions, the change log's application, stop requests, the test hooks and the hold knobs.
 */
final class ShadowRun {

    private static final Logger LOG = Logger.getLogger(ShadowRun.class);

    final ShadowEngine.Progress at;
    final String planId;
    final ShadowRebuild rebuild;
    final ShadowNames n;
    final Connection c;
    final TableShape original;
    final ShadowProgress report;
    final MigrationConfig.Shadow config;
    final ShadowStore store;
    final PlanStore plans;
    final Throttle throttle;
    final ShadowHooks hooks;
    final Activity doing;
    /** Where the target is, for logical capture's replication connection. */
    final dev.shadowshift.pg.PgEndpoint endpoint;
    /** The most WAL logical capture's slot may hold back (max-slot-wal), in bytes. */
    final long maxSlotWal;
    /** How long the rollback window stays open after cutover (rollback-window), and how it captures (rollback-window-capture). */
    java.time.Duration window = java.time.Duration.ZERO;
    String windowCapture = "trigger";
    /** True when this rebuild captures through logical decoding, false for the capture trigger. */
    boolean logical;
    private String decodedAs;
    /** Logical capture's second session, for flushing WAL while the run's own session is inside a transaction. */
    private Connection side;

    ShadowRun(ShadowEngine.Progress at, ShadowRebuild rebuild, ShadowNames n, Connection c, TableShape original, ShadowProgress report,
              MigrationConfig.Shadow config, ShadowStore store, PlanStore plans, Throttle throttle, ShadowHooks hooks, Activity doing,
              dev.shadowshift.pg.PgEndpoint endpoint, long maxSlotWal, boolean logical) {
        this.endpoint = endpoint;
        this.maxSlotWal = maxSlotWal;
        this.logical = logical;
        this.at = at;
        this.planId = at.plan().planId();
        this.rebuild = rebuild;
        this.n = n;
        this.c = c;
        this.original = original;
        this.report = report;
        this.config = config;
        this.store = store;
        this.plans = plans;
        this.throttle = throttle;
        this.hooks = hooks;
        this.doing = doing;
    }

    String table() {
        return n.qualified(n.table());
    }

    ShadowCheckpoint checkpoint() throws SQLException {
        return store.find(planId, n.table()).orElseThrow();
    }

    /** What an operator asked of the plan, if anything: PAUSE keeps everything (capture goes on), CANCEL removes it. */
    PlanControl stop() throws SQLException {
        return plans.control(planId).orElse(null);
    }

    /** A named checkpoint was recorded: the tests' hooks, then the hold-at knob. @return PAUSE or CANCEL asked during the hold */
    PlanControl reached(String checkpoint) throws SQLException, InterruptedException {
        hooks.reached(checkpoint);
        return holdAt(checkpoint);
    }

    /** The test knob: stop at one checkpoint long enough to be killed there. */
    PlanControl holdAt(String checkpoint) throws SQLException, InterruptedException {
        Duration holdFor = config.holdFor();
        if (holdFor.isNegative() || holdFor.isZero() || config.holdAt().filter(h -> h.name().equals(checkpoint)).isEmpty()) {
            return null;
        }
        return hold(phaseOf(checkpoint), "holding at " + checkpoint + " for " + seconds(holdFor) + " (hold-at) on " + table(), holdFor);
    }

    /** Announces the hold, then sleeps it out unless a pause or cancel request comes first (which it returns). */
    PlanControl hold(String phase, String message, Duration holdFor) throws SQLException, InterruptedException {
        long holdNanos = holdFor.toNanos();
        if (holdNanos <= 0) {
            return null;
        }
        report.say(phase, message);
        long until = System.nanoTime() + holdNanos;
        for (long left = holdNanos; left > 0; left = until - System.nanoTime()) {
            PlanControl stop = stop();
            if (stop != null) {
                return stop;
            }
            Thread.sleep(Math.max(1, Math.min(250, left / 1_000_000)));
        }
        return null;
    }

    <T> T shortLock(String what, ShortLocks.Work<T> work) throws SQLException, ShadowFailure, InterruptedException {
        return shortLock(c, what, work);
    }

    <T> T shortLock(Connection conn, String what, ShortLocks.Work<T> work) throws SQLException, ShadowFailure, InterruptedException {
        return ShortLocks.run(conn, what, config.cutoverLockTimeout(), config.cutoverAttempts(), config.cutoverBackoffInitial(),
                config.cutoverBackoffMax(), (attempt, wait, cause) -> report.say("CUTOVER", what + ": attempt " + attempt + " of "
                        + config.cutoverAttempts() + " could not lock within " + config.cutoverLockTimeout().toMillis()
                        + "ms; retrying in " + wait.toMillis() + "ms"), work);
    }

    private long lastThrottleReport;
    private String writesTo;
    private WriteProbe probe;
    private AdaptiveThrottle pacing;
    private AdaptiveThrottle.Action lastAction = AdaptiveThrottle.Action.GO;

    /**
     * Before each batch (backfill) or key range (validation): looks at the target ({@link Throttle#look}) and lets
     * {@link AdaptiveThrottle} decide. The first call starts the canary ({@link WriteProbe}) and waits for a few of
     * them, the baseline. Paused, it sleeps throttle-sleep and looks again until the writers recover (a stop request
     * ends it); slowed, it sleeps the decided time. Progress says when it slows, pauses and gets back to full speed,
     * and why, and every progress-interval while it goes on.
     *
     * @param proposed the batch size the caller would use
     * @return the batch size to use, at most {@code proposed}
     */
    int throttle(Connection conn, String what, int proposed) throws SQLException, InterruptedException {
        String target = at.plan().plan().target();
        boolean copying = probe != null;
        if (probe == null) {
            MigrationConfig.Throttling t = throttle.limits();
            writesTo = Throttle.writesTo(n.schema(), n.table());
            pacing = throttle.adaptive();
            probe = WriteProbe.start(endpoint, t.probeInterval(), planId + "/" + n.table());
            // the baseline: a few canaries before the first batch
            long until = System.nanoTime() + Math.max(200, t.probeInterval().toMillis() * (t.minProbes() + 2)) * 1_000_000L;
            while (System.nanoTime() < until && probe.failure() == null) {
                Thread.sleep(Math.max(1, t.probeInterval().toMillis()));
            }
        }
        while (true) {
            AdaptiveThrottle.Decision d = pacing.next(throttle.look(conn, target, writesTo, probe), proposed, copying);
            if (!copying) {
                LOG.infof("plan %s: %s throttle on %s: %s", planId, what, table(), d.why());
            }
            copying = true;
            announce(what, d);
            if (d.action() != AdaptiveThrottle.Action.PAUSE) {
                if (!d.sleep().isZero()) {
                    Thread.sleep(d.sleep().toMillis());
                }
                return d.batchSize();
            }
            if (stop() != null) {
                return d.batchSize();
            }
            Thread.sleep(config.throttleSleep().toMillis());
        }
    }

    private void announce(String what, AdaptiveThrottle.Decision d) {
        boolean changed = d.action() != lastAction;
        if (d.action() == AdaptiveThrottle.Action.GO) {
            if (changed) {
                report.say(phaseNow(), what + " back to full speed: " + d.why());
            }
        } else if (changed || System.nanoTime() - lastThrottleReport >= config.progressInterval().toNanos()) {
            lastThrottleReport = System.nanoTime();
            report.say(phaseNow(), what + (d.action() == AdaptiveThrottle.Action.PAUSE ? " throttled (paused): " : " throttled (slowed): ")
                    + d.why());
        }
        lastAction = d.action();
    }

    private String phaseNow() {
        return doing.phase;
    }

    /** Applies the whole change log (the backfill is done) until fewer than {@code stopBelow} writes are pending. */
    void catchUp(int stopBelow, String when) throws SQLException {
        applyLog(c, null, null, true, stopBelow, when);
    }

    void applyLog(Connection conn, java.util.List<String> position, java.util.List<String> mark, boolean done, int stopBelow,
                  String when) throws SQLException {
        if (logical) {
            drainSlot(conn);
        }
        long[] lastReport = {System.nanoTime()};
        ChangeLog.Applied total = ChangeLog.catchUp(conn, n, original, rebuild, position, mark, done, config.applyBatchSize(), stopBelow,
                (round, sofar) -> {
                    if (System.nanoTime() - lastReport[0] >= config.progressInterval().toNanos()) {
                        lastReport[0] = System.nanoTime();
                        report.say(done ? "CUTOVER" : "SHADOW", "applying the change log " + when + ": " + sofar.applied
                                + " row(s) copied from " + sofar.taken + " logged write(s) so far");
                    }
                });
        if (total.taken > 0) {
            LOG.infof("plan %s: change log applied %s: %d logged write(s), %d row(s) copied into the shadow in %.3f s",
                    planId, when, total.taken, total.applied, total.nanos / 1e9);
        }
    }

    /** Logical capture: the slot's changes so far, as keys, into the change log; then its held-back WAL is checked. */
    void drainSlot(Connection conn) throws SQLException {
        if (decodedAs == null) {
            decodedAs = LogicalCapture.prefix(conn, n);
        }
        if (side == null) {
            side = endpoint.connect(endpoint.database());
            side.setAutoCommit(true);
        }
        try {
            LogicalCapture.drainOnce(conn, side, n, original, decodedAs);
            LogicalCapture.checkRetained(conn, n, maxSlotWal, "shadowshift.migration.max-slot-wal");
        } catch (ShadowFailure e) {
            throw new Unrecoverable(e);
        }
    }

    /** Closes the run's second session and stops its canary, if it started them. */
    void close() {
        if (probe != null) {
            probe.close();
            probe = null;
        }
        if (side != null) {
            try {
                side.close();
            } catch (SQLException ignored) {
                // closing
            }
            side = null;
        }
    }

    /** A capture failure met inside a step that only declares SQLException: the engine unwraps it and abandons. */
    static final class Unrecoverable extends SQLException {
        final ShadowFailure failure;

        Unrecoverable(ShadowFailure failure) {
            super(failure.getMessage(), "SS001", failure);
            this.failure = failure;
        }
    }

    static String phaseOf(String checkpoint) {
        return switch (checkpoint) {
            case ShadowCheckpoint.PREPARED -> "PREPARATION";
            case ShadowCheckpoint.OPTIMIZED -> "OPTIMIZATION";
            case ShadowCheckpoint.VALIDATED, ShadowCheckpoint.CUT_OVER -> "CUTOVER";
            default -> "SHADOW";
        };
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** What the run is doing right now, so that a failed statement can be reported in a user's terms. */
    static final class Activity {
        String phase = "PREPARATION";
        String kind = "reading the catalog";
        boolean cutOver;

        void now(String phase, String kind) {
            this.phase = phase;
            this.kind = kind;
        }

        String failed(SQLException e, ShadowNames n) {
            String statement = e instanceof StatementFailed sf ? sf.kind() : kind;
            return "shadow rebuild of " + n.qualified(n.table()) + " failed in phase " + phase + " on " + statement + ": "
                    + SqlErrors.describe(e) + (cutOver
                    ? "; the cutover had committed: the rebuilt table serves and " + n.qualified(n.rollback()) + " is the rollback point"
                    : "; the shadow objects are removed and " + n.qualified(n.table()) + " serves unchanged");
        }
    }
}
