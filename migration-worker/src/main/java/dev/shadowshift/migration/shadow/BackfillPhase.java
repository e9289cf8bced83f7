package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.PlanControl;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * SHADOW, part two: the keyset backfill up to the high-water mark ({@link Backfill}), each batch checkpointed,
 * throttled while the target is under pressure, the change log applied every apply-interval for the keys it passed,
 * then all of it once the backfill is done.
 */
final class BackfillPhase implements ShadowPhase {

    /** Not a checkpoint of its own: the hooks and the hold-at knob see it after each checkpointed backfill batch. */
    static final String BACKFILL_BATCH = "BACKFILL_BATCH";
    /** For the tests' hooks only: a batch committed in the target, not yet checkpointed in the state database. */
    static final String BACKFILL_BATCH_COPIED = "BACKFILL_BATCH_COPIED";

    @Override
    public String checkpoint() {
        return ShadowCheckpoint.BACKFILLED;
    }

    @Override
    public PlanControl run(ShadowRun r) throws SQLException, ShadowFailure, InterruptedException {
        ShadowCheckpoint cp = r.checkpoint();
        r.doing.now("SHADOW", "backfill batch (INSERT INTO shadow SELECT ...)");
        PlanControl stopped = r.logical ? inSlotSnapshot(r, cp) : backfill(r, cp, false);
        if (stopped != null) {
            return stopped;
        }
        r.doing.now("SHADOW", "applying the change log (copying logged rows into the shadow)");
        r.catchUp(r.config.applyBatchSize(), "after the backfill");
        r.store.phase(r.planId, r.n.table(), checkpoint());
        return r.reached(checkpoint());
    }

    /**
     * Logical capture: a new slot (any earlier run's is dropped, and what it copied removed), its snapshot imported
     * by the run's session, and the whole backfill copied in that one transaction: every write committed after the
     * snapshot comes out of the slot afterwards. Stopped (pause, cancel) it rolls back and drops the slot: a resume
     * starts over from a new one.
     */
    private static PlanControl inSlotSnapshot(ShadowRun r, ShadowCheckpoint cp) throws SQLException, InterruptedException {
        LogicalCapture.drop(r.c, r.n);
        try (java.sql.Statement s = r.c.createStatement()) {
            StatementFailed.exec(s, "TRUNCATE " + r.n.qualified(r.n.shadow()) + ", " + r.n.tool(r.n.changeLog()));
            // (a position table made before logical capture logged its slot position gets the column)
            StatementFailed.exec(s, "ALTER TABLE " + r.n.tool(r.n.backfillPosition()) + " ADD COLUMN IF NOT EXISTS slot_lsn pg_lsn");
            StatementFailed.exec(s, "UPDATE " + r.n.tool(r.n.backfillPosition()) + " SET " + ShadowSql.list(ShadowSql.keyPositions(r.original),
                    i -> "k" + i + " = NULL") + ", slot_lsn = NULL");
        }
        LogicalCapture.tagOwnWrites(r.c, r.n);
        r.doing.now("SHADOW", "CREATE_REPLICATION_SLOT ... EXPORT_SNAPSHOT / SET TRANSACTION SNAPSHOT");
        LogicalCapture.createAndImport(r.endpoint, r.c, r.n);
        PlanControl stopped;
        try {
            // the mark too is read in the snapshot: a row inserted before the slot existed is the backfill's to copy
            r.doing.now("SHADOW", "high-water mark (SELECT max key) in the slot's snapshot");
            r.store.highWaterMark(r.planId, r.n.table(), Backfill.highWaterMark(r.c, r.n, r.original),
                    Preflight.scalarLong(r.c, "SELECT count(*) FROM " + r.table(), null));
            r.doing.now("SHADOW", "backfill batch (INSERT INTO shadow SELECT ... in the slot's snapshot)");
            stopped = backfill(r, r.checkpoint(), true);
            if (stopped == null) {
                r.c.commit();
            }
        } finally {
            ShortLocks.rollbackQuietly(r.c);
            r.c.setAutoCommit(true);
        }
        if (stopped != null) {
            LogicalCapture.drop(r.c, r.n);
        }
        return stopped;
    }

    private static PlanControl backfill(ShadowRun r, ShadowCheckpoint cp, boolean inSnapshot) throws SQLException, InterruptedException {
        long[] lastReport = {0};
        boolean[] firstBatch = {true};
        long[] counted = {cp.rowsCopied()};
        r.report.rows("SHADOW", "backfilling " + r.n.qualified(r.n.shadow()) + (cp.lastKey() == null ? "" : " from key " + cp.lastKey()),
                cp.rowsCopied(), cp.rowsTotal(), null, null);
        String target = r.at.plan().plan().target();
        return Backfill.run(r.c, r.n, r.original, r.rebuild, cp, r.config, new Backfill.Between() {
            @Override
            public PlanControl afterBatch(List<String> lastKey, long rowsCopied, int batchSize, long rowsTotal, double rate)
                    throws SQLException, InterruptedException {
                // a crash here leaves the state database one batch behind the target's own position table
                r.hooks.reached(BACKFILL_BATCH_COPIED);
                r.store.batch(r.planId, r.n.table(), lastKey, rowsCopied, batchSize);
                r.plans.listener().rowsCopied(target, r.n.schema() + "." + r.n.table(), rowsCopied - counted[0]);
                counted[0] = rowsCopied;
                if (inSnapshot) {
                    try {
                        LogicalCapture.checkRetained(r.c, r.n, r.maxSlotWal, "shadowshift.migration.max-slot-wal");
                    } catch (SlotWalExceeded e) {
                        throw new ShadowRun.Unrecoverable(e);
                    }
                }
                r.hooks.reached(BACKFILL_BATCH);
                if (firstBatch[0]) {
                    firstBatch[0] = false;
                    PlanControl held = r.holdAt(BACKFILL_BATCH);
                    if (held != null) {
                        return held;
                    }
                }
                if (System.nanoTime() - lastReport[0] >= r.config.progressInterval().toNanos()) {
                    lastReport[0] = System.nanoTime();
                    Long eta = rate > 0 ? (long) Math.ceil(Math.max(0, rowsTotal - rowsCopied) / rate) : null;
                    r.report.rows("SHADOW", "backfilled " + rowsCopied + " of " + rowsTotal + " rows (batch " + batchSize + ")",
                            rowsCopied, rowsTotal, Math.round(rate * 10) / 10.0, eta);
                }
                return r.stop();
            }

            @Override
            public void finished(long rowsCopied, Backfill.Timing timing) {
                double seconds = timing.totalNanos() / 1e9;
                double rate = seconds > 0 ? rowsCopied / seconds : 0;
                r.report.rows("SHADOW", String.format(Locale.ROOT, "backfill done: %d rows in %.3f s = %.0f rows/s (%s)",
                        rowsCopied, seconds, rate, timing.describe()), null, null, Math.round(rate * 10) / 10.0, null);
            }

            @Override
            public void applyChanges(Connection conn, List<String> position, String when) throws SQLException {
                if (inSnapshot) {
                    // the snapshot's copy must not meet newer rows: the slot's changes are applied after it commits
                    return;
                }
                r.applyLog(conn, position, cp.highWaterMark(), false, r.config.applyBatchSize(), when);
            }

            @Override
            public int throttle(Connection conn, int batchSize) throws SQLException, InterruptedException {
                return r.throttle(conn, "backfill", batchSize);
            }
        }, inSnapshot);
    }
}
