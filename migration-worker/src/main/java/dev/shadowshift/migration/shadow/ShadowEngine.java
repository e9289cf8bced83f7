package dev.shadowshift.migration.shadow;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.support.SqlErrors;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.plan.PlanControl;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.support.Announcements;
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

    public enum Outcome { CUT_OVER, PAUSED, CANCELLED }

    /** The phases in order, each recording its checkpoint: each one a seam another implementation can take over. */
    private static final List<ShadowPhase> PHASES = List.of(new PreparePhase(), new CreateShadowPhase(), new CapturePhase(),
            new BackfillPhase(), new IndexPhase(), new ValidatePhase(), new SwapPhase());

    private final TargetDatabases targets;
    private final ShadowStore store;
    private final PlanStore plans;
    private final Announcements publisher;
    private final MigrationConfig.Shadow config;
    private final Throttle throttle;
    private final ShadowHooks hooks;
    private final RollbackPoint rollbackPoint;
    private final long maxSlotWal;
    private final Duration rollbackWindow;
    private final String rollbackWindowCapture;

    @Inject
    public ShadowEngine(TargetDatabases targets, ShadowStore store, PlanStore plans, Announcements publisher,
                        MigrationConfig config, Throttle throttle) {
        this(targets, store, plans, publisher, config, throttle, ShadowHooks.NONE);
    }

    /** A separate instance with hooks: tests crash it at a named checkpoint, then resume with a fresh one. */
    public ShadowEngine(TargetDatabases targets, ShadowStore store, PlanStore plans, Announcements publisher,
                        MigrationConfig config, Throttle throttle, ShadowHooks hooks) {
        this.targets = targets;
        this.store = store;
        this.plans = plans;
        this.publisher = publisher;
        this.config = config.shadow();
        this.throttle = throttle;
        this.hooks = hooks;
        this.maxSlotWal = LogicalCapture.bytes(config.maxSlotWal());
        this.rollbackPoint = new RollbackPoint(targets, store, plans, this.config, publisher, maxSlotWal);
        this.rollbackWindow = config.rollbackWindow();
        this.rollbackWindowCapture = config.rollbackWindowCapture();
        if (!List.of("auto", "trigger").contains(this.config.capture())) {
            throw new IllegalArgumentException("shadowshift.migration.shadow.capture is '" + this.config.capture()
                    + "': expected auto (logical decoding where the server allows it, else the trigger) or trigger");
        }
    }

    /** What one run reports on migration-progress: the plan's step position is the caller's. */
    public record Progress(StoredPlan plan, int stepsDone, int stepsTotal) {
    }

    public Outcome run(Progress at, ShadowRebuild rebuild) throws SQLException, ShadowFailure, InterruptedException {
        StoredPlan plan = at.plan();
        String planId = plan.planId();
        ShadowNames n = ShadowNames.of(planId, rebuild.schema(), rebuild.table());
        ShadowProgress report = new ShadowProgress(publisher, at);
        ShadowCheckpoint cp = store.begin(planId, n);
        if (cp.finished()) {
            if (cp.phase().equals(ShadowCheckpoint.CUT_OVER)) {
                validateForeignKeysLeftNotValid(plan.plan().target(), n);
                MaterializedViews.finishAfterCutover(targets, plan.plan().target(), n, (conn, what, work) -> shortLock(report, conn, what, work));
                // the run that swapped died before it could say so: watchers still learn which table serves
                report.say("CUTOVER", n.qualified(n.table()) + " serves from the rebuilt table (its cutover committed "
                        + "before this run); the original is kept as " + n.qualified(n.rollback()));
            }
            return cp.phase().equals(ShadowCheckpoint.ABANDONED) ? Outcome.CANCELLED : Outcome.CUT_OVER;
        }
        try (Connection c = targets.open(plan.plan().target())) {
            c.setAutoCommit(true);
            if (!advisoryLock(c, n)) {
                throw new TableBusy("another migration holds " + n.qualified(n.table()) + " (advisory lock '" + n.advisoryKey() + "')");
            }
            ShadowRun.Activity doing = new ShadowRun.Activity();
            try {
                try {
                    return phases(at, rebuild, n, c, report, doing);
                } catch (SQLException e) {
                    if (e instanceof ShadowRun.Unrecoverable u) {
                        throw u.failure;
                    }
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
            // a worker that died right after the cutover had no time to drop its slot
            LogicalCapture.drop(c, n);
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

    /** The phases from the last checkpoint on; between them, a pause or cancel request stops the run. */
    private Outcome phases(Progress at, ShadowRebuild rebuild, ShadowNames n, Connection c, ShadowProgress report,
                           ShadowRun.Activity doing) throws SQLException, ShadowFailure, InterruptedException {
        String planId = at.plan().planId();
        String table = n.qualified(n.table());
        ShadowCheckpoint cp = store.find(planId, n.table()).orElseThrow();
        if (!cp.reached(ShadowCheckpoint.CUT_OVER) && Cutover.alreadyDone(c, n)) {
            // the cutover committed but the checkpoint did not: finish what follows it
            doing.cutOver = true;
            LogicalCapture.drop(c, n);
            doing.now("CUTOVER", "ALTER TABLE VALIDATE CONSTRAINT (foreign keys pointing in)");
            TableSwap.validateForeignKeys(c, TargetCatalog.foreignKeysIn(c, n.schema(), n.table()));
            store.cutOver(planId, n.table(), rollbackWindow, RollbackWindow.open(c, n));
            MaterializedViews.finish(c, n, (conn, what, work) -> shortLock(report, conn, what, work));
            return Outcome.CUT_OVER;
        }
        TableShape original = TargetCatalog.shape(c, n.schema(), n.table())
                .orElseThrow(() -> new UnsupportedTable("table " + table + " does not exist"));
        if (cp.reached(ShadowCheckpoint.SHADOW_CREATED) && !ChangeLog.intact(c, n)) {
            // crash recovery (or a promoted standby) emptied the unlogged capture tables: writes since the last run
            // may be missing from the shadow, so it is made again from scratch
            LOG.warnf("plan %s: the change log of %s was lost since the last run; starting the rebuild over", planId, table);
            report.say("SHADOW", "the change log of " + table + " was emptied since the last run (the server "
                    + "restarted: unlogged tables do not survive a crash); starting the rebuild over from the shadow phase");
            store.phase(planId, n.table(), ShadowCheckpoint.PREPARED);
            cp = store.find(planId, n.table()).orElseThrow();
        }
        boolean logical = cp.reached(ShadowCheckpoint.SHADOW_CREATED) && !LogicalCapture.triggerInstalled(c, n);
        if (logical && cp.reached(ShadowCheckpoint.BACKFILLING)) {
            // a run that read the slot and died may have taken changes from it that never reached the change log:
            // the slot goes, and the backfill starts over from a new one
            LogicalCapture.drop(c, n);
            report.say("SHADOW", "resuming the logical capture of " + table + ": the slot of the interrupted run is dropped and "
                    + "the backfill starts over from a new slot");
            store.phase(planId, n.table(), ShadowCheckpoint.SHADOW_CREATED);
            cp = store.find(planId, n.table()).orElseThrow();
        }
        ShadowRun run = new ShadowRun(at, rebuild, n, c, original, report, config, store, plans, throttle, hooks, doing,
                targets.endpoint(at.plan().plan().target()), maxSlotWal, logical);
        run.window = rollbackWindow;
        run.windowCapture = rollbackWindowCapture;
        try {
            for (ShadowPhase phase : PHASES) {
                if (cp.reached(phase.checkpoint())) {
                    continue;
                }
                if (phase.run(run) != null || (!(phase instanceof SwapPhase) && run.stop() != null)) {
                    return control(run);
                }
            }
            return Outcome.CUT_OVER;
        } finally {
            run.close();
        }
    }

    /** The run stops at a boundary on request: PAUSE keeps everything (capture goes on), CANCEL removes it. */
    private Outcome control(ShadowRun run) throws SQLException, ShadowFailure, InterruptedException {
        if (run.stop() == PlanControl.CANCEL) {
            abandon(run.c, run.n, run.planId);
            return Outcome.CANCELLED;
        }
        if (run.logical) {
            // a paused migration must not hold WAL back for as long as it stays paused: the resume starts over
            LogicalCapture.drop(run.c, run.n);
        }
        return Outcome.PAUSED;
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
        LogicalCapture.drop(c, n);
        // made just before the cutover's lock, which did not commit
        RollbackWindow.dropSlot(c, n);
        shortLock(new ShadowProgress(publisher, null), c, "removing the shadow of " + n.qualified(n.table()), conn -> {
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
        return rollbackPoint.swapBack(target, planId, rebuild, this::quietLock);
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
                sql.addAll(CreateShadow.statements(n, shape, rebuild, c.getMetaData().getDatabaseMajorVersion(),
                        !config.capture().equals("auto") || LogicalCapture.unavailable(c, n).isPresent()));
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

    /**
     * The scheduled check of the rollback windows: drains and bounds the slots of open ones, closes those whose time
     * is up (the original table, the capture and the slot are dropped).
     */
    public void cleanExpired() throws SQLException {
        rollbackPoint.maintain(this::quietLock);
    }

    /** A short-lock transaction outside any plan run: its retries go to the log only. */
    private <T> T quietLock(Connection c, String what, ShortLocks.Work<T> work) throws SQLException, ShadowFailure, InterruptedException {
        return shortLock(new ShadowProgress(publisher, null), c, what, work);
    }

    private <T> T shortLock(ShadowProgress report, Connection c, String what, ShortLocks.Work<T> work)
            throws SQLException, ShadowFailure, InterruptedException {
        return ShortLocks.run(c, what, config.cutoverLockTimeout(), config.cutoverAttempts(), config.cutoverBackoffInitial(),
                config.cutoverBackoffMax(), (attempt, wait, cause) -> report.say("CUTOVER", what + ": attempt " + attempt + " of "
                        + config.cutoverAttempts() + " could not lock within " + config.cutoverLockTimeout().toMillis()
                        + "ms; retrying in " + wait.toMillis() + "ms"), work);
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
}
