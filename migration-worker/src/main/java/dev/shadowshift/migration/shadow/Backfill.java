package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.plan.PlanControl;
import dev.shadowshift.migration.plan.ShadowRebuild;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * SHADOW, part two: copies the rows that existed when capture began, by keyset, up to the high-water mark taken
 * after the capture trigger was committed (every write after that is in the change log). Each batch is one
 * autocommitted statement that also moves the position table in the target, so a resumed run continues exactly
 * after the last committed batch (the state database's checkpoint may lag it by one batch). Batch size adapts to a
 * time target; between batches the run yields to throttling, pause and cancel, and every apply-interval applies
 * the change log for the keys it has passed ({@link ChangeLog}).
 */
final class Backfill {

    /** What the engine lets the backfill do between batches. */
    interface Between {
        /** Checkpoints the batch; @return PAUSE or CANCEL when asked to stop, else null. */
        PlanControl afterBatch(List<String> lastKey, long rowsCopied, int batchSize, long rowsTotal, double rowsPerSecond)
                throws SQLException, InterruptedException;

        /** Sleeps while throttled; @return the batch size the next batch may take, at most {@code batchSize} */
        int throttle(Connection c, int batchSize) throws SQLException, InterruptedException;

        /** Applies the change log for the keys up to {@code position} and above the mark (every apply-interval). */
        void applyChanges(Connection c, List<String> position, String when) throws SQLException;

        /** The backfill reached the high-water mark: rows this run copied, and where its time went. */
        default void finished(long rowsCopied, Timing timing) {
        }
    }

    private Backfill() {
    }

    /** The high-water mark (null for an empty table) and the number of rows up to it. */
    static List<String> highWaterMark(Connection c, ShadowNames n, TableShape shape) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ShadowSql.highWaterMark(n, shape))) {
            return firstKey(ps, shape.primaryKey().size());
        }
    }

    /** @return null when done, or the control request (PAUSE / CANCEL) that stopped it */
    /**
     * @param inSnapshot true for logical capture: {@code c} is in the transaction that imported the slot's snapshot,
     *                   and every batch runs in it (the caller commits); false: each batch commits on its own
     */
    static PlanControl run(Connection c, ShadowNames n, TableShape shape, ShadowRebuild rebuild, ShadowCheckpoint cp,
                      MigrationConfig.Shadow config, Between between, boolean inSnapshot) throws SQLException, InterruptedException {
        if (cp.highWaterMark() == null) {
            return null;
        }
        if (!inSnapshot) {
            c.setAutoCommit(true);
        }
        List<String> last = position(c, n, shape);
        long copied = cp.rowsCopied();
        long total = cp.rowsTotal() == null ? 0 : cp.rowsTotal();
        int size = cp.batchSize() == null ? config.batchSizeInitial() : cp.batchSize();
        int keys = shape.primaryKey().size();
        // prepared once per run: each is then planned once (server-side) and reused per batch
        if (!inSnapshot && ShadowSql.keyOrderPreserved(shape, rebuild)) {
            try (PreparedStatement copyFirst = c.prepareStatement(ShadowSql.backfillInKeyOrder(n, shape, rebuild, true));
                 PreparedStatement copyNext = c.prepareStatement(ShadowSql.backfillInKeyOrder(n, shape, rebuild, false));
                 PreparedStatement positionFirst = c.prepareStatement(ShadowSql.recordPosition(n, shape, rebuild, true));
                 PreparedStatement positionNext = c.prepareStatement(ShadowSql.recordPosition(n, shape, rebuild, false))) {
                BatchCopy inKeyOrder = (from, mark, rows) -> {
                    c.setAutoCommit(false);
                    try {
                        long copiedNow = bind(from == null ? copyFirst : copyNext, from, mark, rows).executeUpdate();
                        List<String> to = copiedNow == 0 ? from : firstKey(bind(from == null ? positionFirst : positionNext, from, mark, null), keys);
                        c.commit();
                        return new Step(copiedNow, to, copiedNow < rows);
                    } finally {
                        ShortLocks.rollbackQuietly(c);
                        c.setAutoCommit(true);
                    }
                };
                return loop(c, cp, config, between, inKeyOrder, last, copied, total, size);
            }
        }
        try (PreparedStatement boundFirst = c.prepareStatement(ShadowSql.backfillBound(n, shape, true));
             PreparedStatement boundNext = c.prepareStatement(ShadowSql.backfillBound(n, shape, false));
             PreparedStatement copyFirst = c.prepareStatement(ShadowSql.backfillBatch(n, shape, rebuild, true));
             PreparedStatement copyNext = c.prepareStatement(ShadowSql.backfillBatch(n, shape, rebuild, false))) {
            BatchCopy bounded = (from, mark, rows) -> {
                List<String> bound = firstKey(bind(from == null ? boundFirst : boundNext, from, mark, Math.max(0, rows - 1)), keys);
                boolean last_ = bound == null;
                List<String> to = last_ ? mark : bound;
                PreparedStatement copy = from == null ? copyFirst : copyNext;
                int p = 1;
                for (String k : to) {
                    copy.setString(p++, k);
                }
                if (from != null) {
                    for (String k : from) {
                        copy.setString(p++, k);
                    }
                }
                for (String k : to) {
                    copy.setString(p++, k);
                }
                return new Step(copy.executeUpdate(), to, last_);
            };
            return loop(c, cp, config, between, bounded, last, copied, total, size);
        }
    }

    /** One batch: copies up to {@code rows} rows after {@code from} (null: from the start) and moves the position. */
    private interface BatchCopy {
        Step copy(List<String> from, List<String> mark, int rows) throws SQLException;
    }

    /**
     * Where a backfill's time went, so an operator (and the benchmark) can tell a slow copy from slow bookkeeping:
     * the batches' own statements, the throttle checks (and sleeps), the checkpoint and progress after each batch,
     * and the change-log applies in between.
     */
    record Timing(long totalNanos, int batches, long copyNanos, long throttleNanos, long bookkeepingNanos, long applyNanos) {
        String describe() {
            return String.format(java.util.Locale.ROOT, "%d batches: copying %.3f s, throttle %.3f s, checkpoints %.3f s, change log %.3f s",
                    batches, copyNanos / 1e9, throttleNanos / 1e9, bookkeepingNanos / 1e9, applyNanos / 1e9);
        }
    }

    /** @param done true when nothing is left before the mark */
    private record Step(long rows, List<String> position, boolean done) {
    }

    /** Binds [from], the mark, and [a trailing int]. */
    private static PreparedStatement bind(PreparedStatement ps, List<String> from, List<String> mark, Integer trailing) throws SQLException {
        int p = 1;
        if (from != null) {
            for (String k : from) {
                ps.setString(p++, k);
            }
        }
        for (String k : mark) {
            ps.setString(p++, k);
        }
        if (trailing != null) {
            ps.setInt(p, trailing);
        }
        return ps;
    }

    /** The first row's key columns as text, or null without a row. */
    private static List<String> firstKey(PreparedStatement ps, int keys) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            List<String> key = new ArrayList<>();
            for (int i = 1; i <= keys; i++) {
                key.add(rs.getString(i));
            }
            return key;
        }
    }

    /** The last key a committed batch copied, from the target (null before the first batch). */
    static List<String> position(Connection c, ShadowNames n, TableShape shape) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ShadowSql.readBackfillPosition(n, shape))) {
            List<String> key = firstKey(ps, shape.primaryKey().size());
            return key == null || key.get(0) == null ? null : key;
        }
    }

    private static PlanControl loop(Connection c, ShadowCheckpoint cp, MigrationConfig.Shadow config, Between between,
                               BatchCopy batch, List<String> last, long copied, long total, int size)
            throws SQLException, InterruptedException {
        // what was logged before the first batch (or before a resume) for keys the backfill has yet to reach, it
        // copies with those writes: dropped now, cheaply, instead of being copied once more after the backfill
        between.applyChanges(c, last, "before the backfill");
        long startedAt = System.nanoTime();
        long copiedAtStart = copied;
        long target = config.batchTimeTarget().toNanos();
        long lastApply = System.nanoTime();
        int batches = 0;
        long copying = 0;
        long throttling = 0;
        long bookkeeping = 0;
        long applying = 0;
        while (true) {
            long t = System.nanoTime();
            size = Math.max(1, Math.min(size, between.throttle(c, size)));
            long t0 = System.nanoTime();
            throttling += t0 - t;
            Step step = batch.copy(last, cp.highWaterMark(), size);
            long took = Math.max(1, System.nanoTime() - t0);
            copying += took;
            batches++;
            copied += step.rows();
            if (step.position() != null) {
                last = step.position();
            }
            // aim the next batch at the time target, changing at most 2x per step, within bounds
            double factor = Math.max(0.5, Math.min(2.0, (double) target / took));
            size = (int) Math.max(config.batchSizeMin(), Math.min(config.batchSizeMax(), size * factor));
            double seconds = (System.nanoTime() - startedAt) / 1e9;
            double rate = seconds > 0 ? (copied - copiedAtStart) / seconds : 0;
            t = System.nanoTime();
            PlanControl stop = last == null ? null : between.afterBatch(last, copied, size, Math.max(total, copied), rate);
            bookkeeping += System.nanoTime() - t;
            if (step.done()) {
                between.finished(copied - copiedAtStart,
                        new Timing(System.nanoTime() - startedAt, batches, copying, throttling, bookkeeping, applying));
                return null;
            }
            if (stop != null) {
                return stop;
            }
            if (System.nanoTime() - lastApply >= config.applyInterval().toNanos()) {
                t = System.nanoTime();
                between.applyChanges(c, last, "during the backfill");
                lastApply = System.nanoTime();
                applying += lastApply - t;
            }
        }
    }
}
