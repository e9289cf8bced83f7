package dev.shadowshift.migration.shadow;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.migration.execution.MigrationConfig;
import dev.shadowshift.migration.execution.SqlErrors;
import dev.shadowshift.migration.messaging.EventPublisher;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.pg.TargetDatabases;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs one table's shadow rebuild through PREPARATION, SHADOW, OPTIMIZATION and CUTOVER, checkpointing every
 * phase (and every backfill batch) in the state database and resuming from the last checkpoint. While it runs
 * it holds a session advisory lock keyed by the qualified table name, so two workers never migrate one table.
 *
 * <p>A {@link ShadowFailure} before cutover removes the shadow objects (the original keeps serving, untouched) and
 * propagates. A failed statement is sorted by its SQLSTATE ({@link SqlErrors}): a transient one (connection,
 * serialization, deadlock, lock wait, shutdown, too many connections) propagates as the {@link SQLException} and
 * leaves everything for the resume, which the runner retries within its budget; any other one (a unique index the
 * new type breaks, a view that cannot be re-created, a bad cast...) would fail again on every retry, so it becomes a
 * {@link ShadowFailure} naming the phase, the statement kind and the server's error, and is cleaned up like one.
 */
@ApplicationScoped
public class ShadowEngine {

    private static final Logger LOG = Logger.getLogger(ShadowEngine.class);
    /** Not a phase of its own: the hooks and the hold-at knob see it after each checkpointed backfill batch. */
    private static final String BACKFILL_BATCH = MigrationConfig.Shadow.HoldPoint.BACKFILL_BATCH.name();
    /** For the tests' hooks only: a batch committed in the target, not yet checkpointed in the state database. */
    static final String BACKFILL_BATCH_COPIED = "BACKFILL_BATCH_COPIED";

    public enum Outcome { CUT_OVER, PAUSED, CANCELLED }

    /** The swap copies at most this many times cutover-max-pending logged writes under its lock. */
    private static final int UNDER_LOCK_FACTOR = 4;

    private final TargetDatabases targets;
    private final ShadowStore store;
    private final PlanStore plans;
    private final EventPublisher publisher;
    private final MigrationConfig.Shadow config;
    private final Throttle throttle;
    private final ShadowHooks hooks;

    @Inject
    public ShadowEngine(TargetDatabases targets, ShadowStore store, PlanStore plans, EventPublisher publisher,
                        MigrationConfig config, Throttle throttle) {
        this(targets, store, plans, publisher, config, throttle, ShadowHooks.NONE);
    }

    /** A separate instance with hooks: tests crash it at a named checkpoint, then resume with a fresh one. */
    public ShadowEngine(TargetDatabases targets, ShadowStore store, PlanStore plans, EventPublisher publisher,
                        MigrationConfig config, Throttle throttle, ShadowHooks hooks) {
        this.targets = targets;
        this.store = store;
        this.plans = plans;
        this.publisher = publisher;
        this.config = config.shadow();
        this.throttle = throttle;
        this.hooks = hooks;
    }

    /** What one run reports on migration-progress: the plan's step position is the caller's. */
    public record Progress(StoredPlan plan, int stepsDone, int stepsTotal) {
    }

    public Outcome run(Progress at, ShadowRebuild rebuild) throws SQLException, ShadowFailure, InterruptedException {
        StoredPlan plan = at.plan();
        String planId = plan.planId();
        ShadowNames n = ShadowNames.of(planId, rebuild.schema(), rebuild.table());
        ShadowCheckpoint cp = store.begin(planId, n);
        if (cp.finished()) {
            if (cp.phase().equals(ShadowCheckpoint.CUT_OVER)) {
                validateForeignKeysLeftNotValid(plan.plan().target(), n);
                MaterializedViews.finishAfterCutover(targets, plan.plan().target(), n, (conn, what, work) -> shortLock(at, conn, what, work));
                // the run that swapped died before it could say so: watchers still learn which table serves
                progress(at, "RUNNING", "CUTOVER", n.qualified(n.table()) + " serves from the rebuilt table (its cutover committed "
                        + "before this run); the original is kept as " + n.qualified(n.rollback()), null, null, null);
            }
            return cp.phase().equals(ShadowCheckpoint.ABANDONED) ? Outcome.CANCELLED : Outcome.CUT_OVER;
        }
        try (Connection c = targets.open(plan.plan().target())) {
            c.setAutoCommit(true);
            if (!advisoryLock(c, n)) {
                throw new TableBusy("another migration holds " + n.qualified(n.table()) + " (advisory lock '" + n.advisoryKey() + "')");
            }
            Activity doing = new Activity();
            try {
                try {
                    return phases(at, rebuild, n, c, doing);
                } catch (SQLException e) {
                    if (SqlErrors.isTransient(e)) {
                        throw e;
                    }
                    throw new ShadowFailure(doing.failed(e, n), e);
                }
            } catch (ShadowFailure e) {
                store.error(planId, n.table(), e.getMessage());
                if (doing.cutOver) {
                    // the swap committed: the rebuilt table serves and the rollback point stays; nothing to remove
                    LOG.errorf("plan %s: shadow rebuild of %s failed after its cutover: %s", planId, n.qualified(n.table()), e.getMessage());
                    throw e;
                }
                LOG.errorf("plan %s: shadow rebuild of %s failed: %s; removing the shadow objects", planId, n.qualified(n.table()), e.getMessage());
                ShortLocks.rollbackQuietly(c);
                c.setAutoCommit(true);
                try {
                    abandon(c, n, planId);
                } catch (ShadowFailure cleanup) {
                    // e.g. the session that blocked the cutover still blocks DROP TRIGGER: the sweeper retries
                    LOG.warnf("plan %s: %s; the leftover sweep removes them later", planId, cleanup.getMessage());
                }
                throw e;
            }
        }
        // closing the session released the advisory lock, also when we crash
    }

    /**
     * The cutover is recorded before the foreign keys pointing in, which the swap re-added NOT VALID, are validated:
     * a worker that died in between left them unvalidated, and a resumed run of its still running plan validates
     * them here. Only NOT VALID ones are touched, so a run after a clean cutover takes no lock.
     */
    private void validateForeignKeysLeftNotValid(String target, ShadowNames n) throws SQLException, ShadowFailure {
        try (Connection c = targets.open(target)) {
            List<TargetCatalog.Constraint> notValid = TargetCatalog.foreignKeysIn(c, n.schema(), n.table()).stream()
                    .filter(fk -> fk.definition().endsWith(" NOT VALID")).toList();
            if (notValid.isEmpty()) {
                return;
            }
            LOG.infof("validating %d foreign key(s) pointing in to %s that an interrupted cutover left NOT VALID",
                    notValid.size(), n.qualified(n.table()));
            TableSwap.validateForeignKeys(c, notValid);
        } catch (SQLException e) {
            if (SqlErrors.isTransient(e)) {
                throw e;
            }
            throw new ShadowFailure("shadow rebuild of " + n.qualified(n.table()) + " failed in phase CUTOVER on "
                    + "ALTER TABLE VALIDATE CONSTRAINT (foreign keys pointing in): " + SqlErrors.describe(e)
                    + "; the cutover had committed: the rebuilt table serves and " + n.qualified(n.rollback()) + " is the rollback point", e);
        }
    }

    /** What the run is doing right now, so that a failed statement can be reported in a user's terms. */
    private static final class Activity {
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

    private Outcome phases(Progress at, ShadowRebuild rebuild, ShadowNames n, Connection c, Activity doing)
            throws SQLException, ShadowFailure, InterruptedException {
        String planId = at.plan().planId();
        String table = n.qualified(n.table());
        ShadowCheckpoint cp = store.find(planId, n.table()).orElseThrow();
        if (!cp.reached(ShadowCheckpoint.CUT_OVER) && Cutover.alreadyDone(c, n)) {
            // the cutover committed but the checkpoint did not: finish what follows it
            doing.cutOver = true;
            doing.now("CUTOVER", "ALTER TABLE VALIDATE CONSTRAINT (foreign keys pointing in)");
            TableSwap.validateForeignKeys(c, TargetCatalog.foreignKeysIn(c, n.schema(), n.table()));
            store.cutOver(planId, n.table(), config.retention(), TargetCatalog.exists(c, n.schema(), n.lostTable()));
            MaterializedViews.finish(c, n, (conn, what, work) -> shortLock(at, conn, what, work));
            return Outcome.CUT_OVER;
        }
        TableShape original = TargetCatalog.shape(c, n.schema(), n.table())
                .orElseThrow(() -> new UnsupportedTable("table " + table + " does not exist"));
        if (cp.reached(ShadowCheckpoint.SHADOW_CREATED) && !ChangeLog.intact(c, n)) {
            // crash recovery (or a promoted standby) emptied the unlogged capture tables: writes since the last run
            // may be missing from the shadow, so it is made again from scratch
            LOG.warnf("plan %s: the change log of %s was lost since the last run; starting the rebuild over", planId, table);
            progress(at, "RUNNING", "SHADOW", "the change log of " + table + " was emptied since the last run (the server "
                    + "restarted: unlogged tables do not survive a crash); starting the rebuild over from the shadow phase", null, null, null);
            store.phase(planId, n.table(), ShadowCheckpoint.PREPARED);
            cp = store.find(planId, n.table()).orElseThrow();
        }

        if (!cp.reached(ShadowCheckpoint.PREPARED)) {
            progress(at, "RUNNING", "PREPARATION", "preflight of " + table, null, null, null);
            doing.now("PREPARATION", "preflight checks (catalog reads, cast dry run)");
            PreflightReport report = Preflight.start(c, n, rebuild, config);
            store.preflight(planId, n.table(), json(report));
            Preflight.validate(report);
            if (reached(at, n, ShadowCheckpoint.PREPARED) != null) {
                return control(at, n, c);
            }
        }
        if (stop(planId) != null) {
            return control(at, n, c);
        }
        if (!cp.reached(ShadowCheckpoint.SHADOW_CREATED)) {
            progress(at, "RUNNING", "SHADOW", "creating shadow table " + n.qualified(n.shadow()) + " with capture triggers", null, null, null);
            doing.now("SHADOW", "CREATE TABLE shadow / CREATE TRIGGER capture");
            shortLock(at, c, "installing capture on " + table, (conn) -> {
                CreateShadow.start(conn, n, original, rebuild);
                return null;
            });
            store.phase(planId, n.table(), ShadowCheckpoint.SHADOW_CREATED);
            if (reached(at, n, ShadowCheckpoint.SHADOW_CREATED) != null) {
                return control(at, n, c);
            }
        }
        if (!cp.reached(ShadowCheckpoint.BACKFILLING)) {
            // taken after the capture trigger committed: every write to a row above it is in the change log
            doing.now("SHADOW", "high-water mark (SELECT max key)");
            List<String> hwm = Backfill.highWaterMark(c, n, original);
            long total = Preflight.scalarLong(c, "SELECT count(*) FROM " + table, null);
            store.highWaterMark(planId, n.table(), hwm, total);
            if (reached(at, n, ShadowCheckpoint.BACKFILLING) != null || holdBeforeBackfill(at, n) != null) {
                return control(at, n, c);
            }
        }
        cp = store.find(planId, n.table()).orElseThrow();
        if (!cp.reached(ShadowCheckpoint.BACKFILLED)) {
            doing.now("SHADOW", "backfill batch (INSERT INTO shadow SELECT ...)");
            String stopped = backfill(at, n, c, original, rebuild, cp);
            if (stopped != null) {
                return control(at, n, c);
            }
            doing.now("SHADOW", "applying the change log (copying logged rows into the shadow)");
            catchUp(at, n, c, original, rebuild, config.applyBatchSize(), "after the backfill");
            store.phase(planId, n.table(), ShadowCheckpoint.BACKFILLED);
            if (reached(at, n, ShadowCheckpoint.BACKFILLED) != null) {
                return control(at, n, c);
            }
        }
        if (stop(planId) != null) {
            return control(at, n, c);
        }
        if (!cp.reached(ShadowCheckpoint.OPTIMIZED)) {
            progress(at, "RUNNING", "OPTIMIZATION", "building indexes CONCURRENTLY and validating constraints on " + n.qualified(n.shadow()), null, null, null);
            doing.now("OPTIMIZATION", "CREATE INDEX CONCURRENTLY / ADD CONSTRAINT NOT VALID / VALIDATE CONSTRAINT");
            Optimization.start(c, n, rebuild, (what, sql) -> shortLock(at, c, what, conn -> {
                try (var s = conn.createStatement()) {
                    s.execute(sql);
                }
                return null;
            }));
            store.phase(planId, n.table(), ShadowCheckpoint.OPTIMIZED);
            if (reached(at, n, ShadowCheckpoint.OPTIMIZED) != null) {
                return control(at, n, c);
            }
        }
        if (stop(planId) != null) {
            return control(at, n, c);
        }
        if (!cp.reached(ShadowCheckpoint.VALIDATED)) {
            progress(at, "RUNNING", "CUTOVER", "validating " + n.qualified(n.shadow()) + " against " + table + " in one snapshot", null, null, null);
            doing.now("CUTOVER", "applying the change log (copying logged rows into the shadow)");
            catchUp(at, n, c, original, rebuild, config.cutoverMaxPending(), "before validation");
            doing.now("CUTOVER", "validation (EXCEPT both ways)");
            Validation.Result valid = Validation.run(c, n, original, rebuild);
            progress(at, "RUNNING", "CUTOVER", "validated: " + n.qualified(n.shadow()) + " equals " + table + " in one snapshot ("
                    + valid.rows() + " rows; " + valid.pending() + " key(s) written since then are copied at the swap)", null, null, null);
            store.phase(planId, n.table(), ShadowCheckpoint.VALIDATED);
            if (reached(at, n, ShadowCheckpoint.VALIDATED) != null) {
                return control(at, n, c);
            }
        }
        // the backup gate: never cut over without a verified backup of this plan
        StoredPlan fresh = plans.find(planId).orElseThrow();
        if (fresh.plan().requiresBackup() && fresh.backupId() == null) {
            throw new BackupMissing("no verified backup-completed is recorded for plan " + planId + "; the shadow path does not cut over without one");
        }
        boolean castsBack = reverseCastsExist(c, original, rebuild);
        boolean reverse = config.reverseSync() && castsBack;
        Cutover.Swapped swapped = null;
        for (int round = 1; swapped == null; round++) {
            doing.now("CUTOVER", "applying the change log (copying logged rows into the shadow)");
            // the fewer writes are left, the shorter the swap holds its lock: the swap copies the rest
            catchUp(at, n, c, original, rebuild, config.cutoverMaxPending(), "before the swap");
            doing.now("CUTOVER", "swap (LOCK, copy of the last logged writes, RENAME, carry-over of views, foreign keys, grants, triggers)");
            progress(at, "RUNNING", "CUTOVER", "swapping " + n.qualified(n.shadow()) + " in for " + table
                    + " (lock_timeout " + config.cutoverLockTimeout().toMillis() + "ms)", null, null, null);
            try {
                swapped = shortLock(at, c, "cutover of " + table,
                        conn -> Cutover.start(conn, n, original, rebuild, reverse, UNDER_LOCK_FACTOR * (long) config.cutoverMaxPending()));
            } catch (TooManyPending e) {
                if (round >= config.cutoverAttempts()) {
                    throw new LockNotAcquired("cutover of " + table + ": " + e.getMessage() + ", " + round + " times; the clients write "
                            + "faster than the log can be caught up between lock attempts. Nothing was changed.", e);
                }
                progress(at, "RUNNING", "CUTOVER", e.getMessage() + "; let go of the lock, catching up again", null, null, null);
            }
        }
        List<TargetCatalog.Constraint> fks = swapped.foreignKeysIn();
        store.cutOver(planId, n.table(), config.retention(), reverse);
        doing.cutOver = true;
        doing.now("CUTOVER", "ALTER TABLE VALIDATE CONSTRAINT (foreign keys pointing in)");
        // past the swap there is nothing left to pause or cancel: a request only ends the hold
        reached(at, n, ShadowCheckpoint.CUT_OVER);
        TableSwap.validateForeignKeys(c, fks);
        progress(at, "RUNNING", "CUTOVER", table + " now serves from the rebuilt table (" + swapped.drained()
                + " logged write(s) copied under the lock); the original is kept as "
                + n.qualified(n.rollback()) + " for " + config.retention() + (reverse ? " with reverse sync"
                : !castsBack ? " (no reverse cast: writes from now on are not carried back on rollback)"
                : " (reverse-sync is off: writes from now on are not carried back on rollback)"),
                null, null, null);
        MaterializedViews.finish(c, n, (conn, what, work) -> shortLock(at, conn, what, work));
        return Outcome.CUT_OVER;
    }

    private String backfill(Progress at, ShadowNames n, Connection c, TableShape shape, ShadowRebuild rebuild, ShadowCheckpoint cp)
            throws SQLException, InterruptedException {
        String planId = at.plan().planId();
        long[] lastReport = {0};
        long[] lastThrottleReport = {0};
        boolean[] firstBatch = {true};
        progress(at, "RUNNING", "SHADOW", "backfilling " + n.qualified(n.shadow()) + (cp.lastKey() == null ? "" : " from key " + cp.lastKey()),
                cp.rowsCopied(), cp.rowsTotal(), null, null);
        return Backfill.run(c, n, shape, rebuild, cp, config, new Backfill.Between() {
            @Override
            public String afterBatch(List<String> lastKey, long rowsCopied, int batchSize, long rowsTotal, double rate)
                    throws SQLException, InterruptedException {
                // a crash here leaves the state database one batch behind the target's own position table
                hooks.reached(BACKFILL_BATCH_COPIED);
                store.batch(planId, n.table(), lastKey, rowsCopied, batchSize);
                hooks.reached(BACKFILL_BATCH);
                if (firstBatch[0]) {
                    firstBatch[0] = false;
                    String held = holdAt(at, n, BACKFILL_BATCH);
                    if (held != null) {
                        return held;
                    }
                }
                if (System.nanoTime() - lastReport[0] >= config.progressInterval().toNanos()) {
                    lastReport[0] = System.nanoTime();
                    Long eta = rate > 0 ? (long) Math.ceil(Math.max(0, rowsTotal - rowsCopied) / rate) : null;
                    progress(at, "RUNNING", "SHADOW", "backfilled " + rowsCopied + " of " + rowsTotal + " rows (batch " + batchSize + ")",
                            rowsCopied, rowsTotal, Math.round(rate * 10) / 10.0, eta);
                }
                return stop(planId);
            }

            @Override
            public void finished(long rowsCopied, Backfill.Timing timing) {
                double seconds = timing.totalNanos() / 1e9;
                double rate = seconds > 0 ? rowsCopied / seconds : 0;
                progress(at, "RUNNING", "SHADOW", String.format(java.util.Locale.ROOT,
                                "backfill done: %d rows in %.3f s = %.0f rows/s (%s)", rowsCopied, seconds, rate, timing.describe()),
                        null, null, Math.round(rate * 10) / 10.0, null);
            }

            @Override
            public void applyChanges(Connection conn, List<String> position, String when) throws SQLException {
                applyLog(at, n, conn, shape, rebuild, position, cp.highWaterMark(), false, config.applyBatchSize(), when);
            }

            @Override
            public void throttle(Connection conn) throws SQLException, InterruptedException {
                for (Optional<String> why = throttle.reason(conn, at.plan().plan().target()); why.isPresent();
                     why = throttle.reason(conn, at.plan().plan().target())) {
                    if (System.nanoTime() - lastThrottleReport[0] >= config.progressInterval().toNanos()) {
                        lastThrottleReport[0] = System.nanoTime();
                        progress(at, "RUNNING", "SHADOW", "backfill throttled: " + why.get(), null, null, null, null);
                    }
                    if (stop(planId) != null) {
                        return;
                    }
                    Thread.sleep(config.throttleSleep().toMillis());
                }
            }
        });
    }

    /** Applies the whole change log (the backfill is done) until fewer than {@code stopBelow} writes are pending. */
    private void catchUp(Progress at, ShadowNames n, Connection c, TableShape shape, ShadowRebuild rebuild, int stopBelow, String when)
            throws SQLException {
        applyLog(at, n, c, shape, rebuild, null, null, true, stopBelow, when);
    }

    private void applyLog(Progress at, ShadowNames n, Connection c, TableShape shape, ShadowRebuild rebuild, List<String> position,
                          List<String> mark, boolean done, int stopBelow, String when) throws SQLException {
        long[] lastReport = {System.nanoTime()};
        ChangeLog.Applied total = ChangeLog.catchUp(c, n, shape, rebuild, position, mark, done, config.applyBatchSize(), stopBelow,
                (round, sofar) -> {
                    if (System.nanoTime() - lastReport[0] >= config.progressInterval().toNanos()) {
                        lastReport[0] = System.nanoTime();
                        progress(at, "RUNNING", phaseNow(done), "applying the change log " + when + ": " + sofar.applied
                                + " row(s) copied from " + sofar.taken + " logged write(s) so far", null, null, null);
                    }
                });
        if (total.taken > 0) {
            double seconds = total.nanos / 1e9;
            LOG.infof("plan %s: change log applied %s: %d logged write(s), %d row(s) copied into the shadow in %.3f s",
                    at.plan().planId(), when, total.taken, total.applied, seconds);
        }
    }

    private static String phaseNow(boolean backfillDone) {
        return backfillDone ? "CUTOVER" : "SHADOW";
    }

    /**
     * A named checkpoint was recorded: the tests' hooks, then the hold-at knob.
     *
     * @return PAUSE or CANCEL if asked during the hold, else null
     */
    private String reached(Progress at, ShadowNames n, String checkpoint) throws SQLException, InterruptedException {
        hooks.reached(checkpoint);
        return holdAt(at, n, checkpoint);
    }

    /** The test knob: stop at one checkpoint long enough to be killed there. @return PAUSE or CANCEL if asked during the wait */
    private String holdAt(Progress at, ShadowNames n, String checkpoint) throws SQLException, InterruptedException {
        Duration holdFor = config.holdFor();
        if (holdFor.isNegative() || holdFor.isZero() || config.holdAt().filter(h -> h.name().equals(checkpoint)).isEmpty()) {
            return null;
        }
        return hold(at, phaseOf(checkpoint), "holding at " + checkpoint + " for " + seconds(holdFor) + " (hold-at) on "
                + n.qualified(n.table()), holdFor);
    }

    /** The benchmark knob: capture runs alone for a while. @return PAUSE or CANCEL if asked during the wait */
    private String holdBeforeBackfill(Progress at, ShadowNames n) throws SQLException, InterruptedException {
        return hold(at, "SHADOW", "capture only on " + n.qualified(n.table()) + ": holding the backfill for "
                + config.holdBeforeBackfill() + " (hold-before-backfill)", config.holdBeforeBackfill());
    }

    /** Announces the hold, then sleeps it out unless a pause or cancel request comes first (which it returns). */
    private String hold(Progress at, String phase, String message, Duration holdFor) throws SQLException, InterruptedException {
        long holdNanos = holdFor.toNanos();
        if (holdNanos <= 0) {
            return null;
        }
        progress(at, "RUNNING", phase, message, null, null, null);
        long until = System.nanoTime() + holdNanos;
        for (long left = holdNanos; left > 0; left = until - System.nanoTime()) {
            String stop = stop(at.plan().planId());
            if (stop != null) {
                return stop;
            }
            Thread.sleep(Math.max(1, Math.min(250, left / 1_000_000)));
        }
        return null;
    }

    private static String phaseOf(String checkpoint) {
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

    /** The run stops at a boundary on request: PAUSE keeps everything (capture goes on), CANCEL removes it. */
    private Outcome control(Progress at, ShadowNames n, Connection c) throws SQLException, ShadowFailure, InterruptedException {
        String planId = at.plan().planId();
        String request = stop(planId);
        if ("CANCEL".equals(request)) {
            abandon(c, n, planId);
            return Outcome.CANCELLED;
        }
        return Outcome.PAUSED;
    }

    private String stop(String planId) throws SQLException {
        return plans.control(planId);
    }

    /** Removes the shadow objects of a rebuild that did not cut over. Idempotent. */
    public void abandon(String target, String planId, ShadowRebuild rebuild) throws SQLException, ShadowFailure, InterruptedException {
        ShadowNames n = ShadowNames.of(planId, rebuild.schema(), rebuild.table());
        Optional<ShadowCheckpoint> cp = store.find(planId, n.table());
        if (cp.isEmpty() || cp.get().finished()) {
            return;
        }
        try (Connection c = targets.open(target)) {
            abandon(c, n, planId);
        }
    }

    private void abandon(Connection c, ShadowNames n, String planId) throws SQLException, ShadowFailure, InterruptedException {
        shortLock(null, c, "removing the shadow of " + n.qualified(n.table()), conn -> {
            Abandon.rollback(conn, n);
            return null;
        });
        store.phase(planId, n.table(), ShadowCheckpoint.ABANDONED);
    }

    /**
     * Swaps the original back in for a rebuild that cut over (POST rollback): the same short-lock swap.
     *
     * @return what could not be carried back, in words, or null when nothing was lost
     */
    public String swapBack(String target, String planId, ShadowRebuild rebuild) throws SQLException, ShadowFailure, InterruptedException {
        ShadowNames n = ShadowNames.of(planId, rebuild.schema(), rebuild.table());
        ShadowCheckpoint cp = store.find(planId, n.table()).orElseThrow();
        try (Connection c = targets.open(target)) {
            c.setAutoCommit(true);
            if (!advisoryLock(c, n)) {
                throw new TableBusy("another migration holds " + n.qualified(n.table()));
            }
            long lost = SwapBack.lostRows(c, n);
            MaterializedViews.refreshRollbackCopies(c, n);
            List<TargetCatalog.Constraint> fks = shortLock(null, c, "swap back of " + n.qualified(n.table()), conn -> SwapBack.start(conn, n));
            store.phase(planId, n.table(), ShadowCheckpoint.ROLLED_BACK);
            TableSwap.validateForeignKeys(c, fks);
            SwapBack.complete(c, n);
            if (!cp.reverseSync()) {
                return "reverse sync was off (reverse-sync disabled, or no reverse cast for "
                        + rebuild.changes().stream().map(ShadowRebuild.ColumnChange::column).toList() + ")"
                        + ": writes made to " + n.qualified(n.table()) + " after cutover were not carried back";
            }
            return lost > 0 ? lost + " row(s) written after cutover could not be cast back and were not carried back" : null;
        }
    }

    /** Preflight and statements of a rebuild, with nothing changed (the cast dry run's pg_temp function aside). */
    public ShadowDryRun dryRun(String target, String planId, ShadowRebuild rebuild) throws SQLException, ShadowFailure {
        ShadowNames n = ShadowNames.of(planId, rebuild.schema(), rebuild.table());
        try (Connection c = targets.open(target)) {
            c.setAutoCommit(true);
            PreflightReport report = Preflight.start(c, n, rebuild, config);
            TableShape shape = TargetCatalog.shape(c, n.schema(), n.table()).orElseThrow();
            List<String> sql = new java.util.ArrayList<>();
            if (!shape.primaryKey().isEmpty()) {
                sql.addAll(CreateShadow.statements(n, shape, rebuild, c.getMetaData().getDatabaseMajorVersion()));
                sql.add(ShadowSql.highWaterMark(n, shape));
                sql.add(ShadowSql.backfillBound(n, shape, false));
                sql.add(ShadowSql.backfillBatch(n, shape, rebuild, false));
                sql.add(ShadowSql.applyChanges(n, shape, rebuild, ShadowSql.Due.PASSED_OR_ABOVE_MARK));
                sql.addAll(Optimization.indexStatements(c, n));
                sql.add(ShadowSql.comparable(n.qualified(n.table()), shape, ShadowSql.byColumn(rebuild)) + " EXCEPT "
                        + ShadowSql.comparableAsIs(n.qualified(n.shadow()), shape));
                sql.add("LOCK TABLE " + n.qualified(n.table()) + ", " + n.qualified(n.shadow()) + " IN ACCESS EXCLUSIVE MODE");
                sql.add("ALTER TABLE " + n.qualified(n.table()) + " RENAME TO " + dev.shadowshift.pg.SqlIdentifiers.quote(n.rollback()));
                sql.add("ALTER TABLE " + n.qualified(n.shadow()) + " RENAME TO " + dev.shadowshift.pg.SqlIdentifiers.quote(n.table()));
            }
            return new ShadowDryRun(n.qualified(n.table()), report, sql);
        }
    }

    /**
     * Removes shadow objects of rebuilds whose plan FAILED or was CANCELLED but whose removal could not get its
     * lock at the time. Runs with the retention cleanup.
     */
    public void sweepLeftovers() throws SQLException {
        for (ShadowCheckpoint cp : store.leftovers()) {
            StoredPlan plan = plans.find(cp.planId()).orElse(null);
            if (plan == null) {
                continue;
            }
            ShadowNames n = ShadowNames.of(cp.planId(), cp.schema(), cp.table());
            try (Connection c = targets.open(plan.plan().target())) {
                c.setAutoCommit(true);
                if (!advisoryLock(c, n)) {
                    continue;
                }
                abandon(c, n, cp.planId());
                LOG.infof("plan %s: leftover shadow objects of %s removed", cp.planId(), n.qualified(n.table()));
            } catch (ShadowFailure e) {
                LOG.warnf("plan %s: leftover shadow objects of %s not removed yet: %s", cp.planId(), cp.table(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Drops expired rollback points. */
    public void cleanExpired() throws SQLException {
        for (ShadowCheckpoint cp : store.expired()) {
            StoredPlan plan = plans.find(cp.planId()).orElse(null);
            if (plan == null) {
                continue;
            }
            ShadowNames n = ShadowNames.of(cp.planId(), cp.schema(), cp.table());
            try (Connection c = targets.open(plan.plan().target())) {
                if (!advisoryLock(c, n)) {
                    continue;
                }
                MaterializedViews.finishAfterCutover(c, n, (conn, what, work) -> shortLock(null, conn, what, work));
                shortLock(null, c, "dropping the rollback point of " + n.qualified(n.table()), conn -> {
                    RetentionCleanup.run(conn, n);
                    return null;
                });
                store.phase(cp.planId(), cp.table(), ShadowCheckpoint.CLEANED);
                LOG.infof("plan %s: rollback point %s dropped after its retention", cp.planId(), n.qualified(n.rollback()));
                if (store.forPlan(cp.planId()).stream().noneMatch(other -> other.phase().equals(ShadowCheckpoint.CUT_OVER))) {
                    // the plan can no longer be rolled back: backup-worker stops pinning its backup
                    int steps = plan.plan().steps().size();
                    publisher.progress(new MigrationProgress(cp.planId(), plan.plan().target(), "COMPLETED", "ROLLBACK_WINDOW_CLOSED", steps,
                            steps, "the last rollback point was dropped after its retention; the plan can no longer be rolled back",
                            null, null, null, null));
                }
            } catch (ShadowFailure | InterruptedException e) {
                LOG.warnf("plan %s: cannot drop rollback point of %s yet: %s", cp.planId(), cp.table(), e.getMessage());
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private boolean reverseCastsExist(Connection c, TableShape original, ShadowRebuild rebuild) throws SQLException {
        for (ShadowRebuild.ColumnChange change : rebuild.changes()) {
            if (change.toType() != null && !Preflight.castExists(c, change.toType(), original.type(change.column()))) {
                return false;
            }
        }
        return true;
    }

    private <T> T shortLock(Progress at, Connection c, String what, ShortLocks.Work<T> work)
            throws SQLException, ShadowFailure, InterruptedException {
        return ShortLocks.run(c, what, config.cutoverLockTimeout(), config.cutoverAttempts(), config.cutoverBackoffInitial(),
                config.cutoverBackoffMax(), (attempt, wait, cause) -> {
                    String message = what + ": attempt " + attempt + " of " + config.cutoverAttempts() + " could not lock within "
                            + config.cutoverLockTimeout().toMillis() + "ms; retrying in " + wait.toMillis() + "ms";
                    LOG.warn(message);
                    if (at != null) {
                        progress(at, "RUNNING", "CUTOVER", message, null, null, null, null);
                    }
                }, work);
    }

    /** The session lock that keeps one migration per table across workers; also taken by the matview swap after cutover. */
    static boolean advisoryLock(Connection c, ShadowNames n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
            ps.setString(1, n.advisoryKey());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void progress(Progress at, String status, String phase, String message, Long copied, Long total, Double rate) {
        progress(at, status, phase, message, copied, total, rate, null);
    }

    private void progress(Progress at, String status, String phase, String message, Long copied, Long total, Double rate, Long eta) {
        LOG.infof("plan %s: %s", at.plan().planId(), message);
        publisher.progress(new MigrationProgress(at.plan().planId(), at.plan().plan().target(), status, phase, at.stepsDone(),
                at.stepsTotal(), message, copied, total, rate, eta));
    }

    private static String json(Object o) {
        try {
            return EventCodec.mapper().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
