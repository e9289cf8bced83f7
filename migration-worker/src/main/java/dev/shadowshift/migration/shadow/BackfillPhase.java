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
        PlanControl stopped = backfill(r, cp);
        if (stopped != null) {
            return stopped;
        }
        r.doing.now("SHADOW", "applying the change log (copying logged rows into the shadow)");
        r.catchUp(r.config.applyBatchSize(), "after the backfill");
        r.store.phase(r.planId, r.n.table(), checkpoint());
        return r.reached(checkpoint());
    }

    private static PlanControl backfill(ShadowRun r, ShadowCheckpoint cp) throws SQLException, InterruptedException {
        long[] lastReport = {0};
        boolean[] firstBatch = {true};
        r.report.rows("SHADOW", "backfilling " + r.n.qualified(r.n.shadow()) + (cp.lastKey() == null ? "" : " from key " + cp.lastKey()),
                cp.rowsCopied(), cp.rowsTotal(), null, null);
        return Backfill.run(r.c, r.n, r.original, r.rebuild, cp, r.config, new Backfill.Between() {
            @Override
            public PlanControl afterBatch(List<String> lastKey, long rowsCopied, int batchSize, long rowsTotal, double rate)
                    throws SQLException, InterruptedException {
                // a crash here leaves the state database one batch behind the target's own position table
                r.hooks.reached(BACKFILL_BATCH_COPIED);
                r.store.batch(r.planId, r.n.table(), lastKey, rowsCopied, batchSize);
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
                r.applyLog(conn, position, cp.highWaterMark(), false, r.config.applyBatchSize(), when);
            }

            @Override
            public void throttle(Connection conn) throws SQLException, InterruptedException {
                r.throttle(conn, "backfill");
            }
        });
    }
}
