package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/**
 * SHADOW, the other half of capture: the worker consumes the change log the capture trigger appends to, and copies
 * each logged key's row again, as the original holds it now, into the shadow (see {@link ShadowSql#applyChanges}).
 * Clients pay for one appended log row per write; the copying happens here, off their transactions, where the
 * backfill's pacing applies. It runs every {@code apply-interval} during the backfill, until the log is drained
 * after it, until only a few writes are pending before validation and the cutover, and finally inside the cutover
 * transaction, under its lock, for whatever is left.
 */
final class ChangeLog {

    /** One apply statement: log rows taken out, and distinct keys copied (or deleted) from them. */
    record Round(long taken, long applied) {
    }

    /** A running total, for progress and the log. */
    static final class Applied {
        long taken;
        long applied;
        long nanos;

        void add(Round r, long tookNanos) {
            taken += r.taken();
            applied += r.applied();
            nanos += tookNanos;
        }
    }

    interface Rounds {
        /** After every apply statement; the caller reports progress. */
        void after(Round round, Applied total) throws SQLException;
    }

    private ChangeLog() {
    }

    /**
     * Applies up to {@code limit} log rows (null: all of them) in one statement.
     *
     * @param position the backfill's last copied key, null before its first batch or once it is done
     * @param mark     the high-water mark, null for a table that was empty when capture began
     * @param done     true once the backfill reached the mark: every key is due
     */
    static Round applyOnce(Connection c, ShadowNames n, TableShape shape, ShadowRebuild rebuild, List<String> position,
                           List<String> mark, boolean done, Integer limit) throws SQLException {
        ShadowSql.Due due = done || mark == null ? ShadowSql.Due.ALL
                : position == null ? ShadowSql.Due.ABOVE_MARK : ShadowSql.Due.PASSED_OR_ABOVE_MARK;
        try (PreparedStatement ps = c.prepareStatement(ShadowSql.applyChanges(n, shape, rebuild, due))) {
            int p = 1;
            if (limit == null) {
                ps.setNull(p++, Types.INTEGER);
            } else {
                ps.setInt(p++, limit);
            }
            if (due == ShadowSql.Due.PASSED_OR_ABOVE_MARK) {
                for (String k : position) {
                    ps.setString(p++, k);
                }
            }
            if (due != ShadowSql.Due.ALL) {
                for (String k : mark) {
                    ps.setString(p++, k);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Round(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    /**
     * Applies rounds of {@code limit} log rows until one takes fewer than {@code stopBelow}: the log then held
     * fewer pending writes than that when the round began. Writes keep arriving meanwhile, so under a steady load
     * each round finds about what the clients wrote during the one before; once a round drains the log (takes fewer
     * than {@code limit}) and finds no fewer rows than the round before, more rounds would not shrink it, and the
     * catch-up ends there too. It goes on while the clients write faster than it applies, and says so each round.
     */
    static Applied catchUp(Connection c, ShadowNames n, TableShape shape, ShadowRebuild rebuild, List<String> position,
                           List<String> mark, boolean done, int limit, int stopBelow, Rounds rounds) throws SQLException {
        Applied total = new Applied();
        long before = Long.MAX_VALUE;
        while (true) {
            long t0 = System.nanoTime();
            Round r = applyOnce(c, n, shape, rebuild, position, mark, done, limit);
            total.add(r, System.nanoTime() - t0);
            rounds.after(r, total);
            boolean steady = r.taken() < limit && r.taken() >= before;
            if (r.taken() < Math.max(1, stopBelow) || steady) {
                return total;
            }
            before = r.taken();
        }
    }

    /**
     * False when the server lost the unlogged capture tables since they were made (crash recovery or a promoted
     * standby empties them): the position row is gone, or the tables are.
     */
    static boolean intact(Connection c, ShadowNames n) throws SQLException {
        if (!TargetCatalog.exists(c, ShadowNames.TOOL_SCHEMA, n.changeLog()) || !TargetCatalog.exists(c, ShadowNames.TOOL_SCHEMA, n.backfillPosition())) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + n.tool(n.backfillPosition()));
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1) == 1;
        }
    }

    /** Log rows waiting now (an exact count: the log is small by design, and this runs only between phases). */
    static long pending(Connection c, ShadowNames n) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + n.tool(n.changeLog()));
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
