package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * CUTOVER, first step: the shadow must equal the converted original. Where the rebuild keeps the key order (the key
 * does not change type, or only widens an integer) they are compared range by range of the primary key, each range
 * in ONE statement and so one short snapshot: the row count and an md5 of the rows as text on both sides
 * ({@link ShadowSql#chunkHashes}). No snapshot is held across the table, so vacuum and the clients' writes go on as
 * usual. Writes still waiting in the change log in a range's snapshot are left out of it (the cutover copies them
 * under its lock); a range that still differs is compared again after the log is applied, since a write that
 * committed while it was compared is no difference, and only a range that differs every time fails validation.
 * A rebuild that reorders the key falls back to EXCEPT both ways in one REPEATABLE READ snapshot.
 */
final class Validation {

    /** What validation compared: rows, ranges, ranges compared again, and keys left to the cutover. */
    record Result(long rows, long chunks, long rechecked, long pending) {
    }

    /** What validation may do between ranges. */
    interface Between {
        /** Applies the change log: before a range that differed is compared again. */
        void catchUp() throws SQLException;

        /** Before each range: applies the change log while it holds more than an apply batch, so that it stays short. */
        default void beforeRange() throws SQLException {
        }

        /** Waits while the clients are under pressure (the backfill's throttle); @return rows the next range may take, at most {@code rows} */
        int throttle(int rows) throws SQLException, InterruptedException;

        /**
         * Logical capture: reads the slot into the change log inside {@code c}'s transaction. Writes committed
         * before a range's snapshot can still be in the slot rather than the log; once read, they are pending
         * there too, in the same snapshot. Nothing to do for trigger capture, whose log is written with each write.
         */
        default void drain(Connection c) throws SQLException {
        }
    }

    private Validation() {
    }

    static Result run(Connection c, ShadowNames n, TableShape shape, ShadowRebuild rebuild, int chunkRows, int rechecks,
                      Between between) throws SQLException, ValidationMismatch, InterruptedException {
        if (!ShadowSql.keyOrderPreserved(shape, rebuild)) {
            return wholeTable(c, n, shape, rebuild, between);
        }
        c.setAutoCommit(true);
        int keys = shape.primaryKey().size();
        long rows = 0;
        long chunks = 0;
        long rechecked = 0;
        List<String> lo = null;
        try (PreparedStatement firstBound = c.prepareStatement(ShadowSql.chunkBound(n, shape, true));
             PreparedStatement nextBound = c.prepareStatement(ShadowSql.chunkBound(n, shape, false))) {
            while (true) {
                int rangeRows = Math.max(1, Math.min(chunkRows, between.throttle(chunkRows)));
                between.beforeRange();
                PreparedStatement b = lo == null ? firstBound : nextBound;
                int p = 1;
                if (lo != null) {
                    for (String k : lo) {
                        b.setString(p++, k);
                    }
                }
                b.setInt(p, Math.max(0, rangeRows - 1));
                List<String> hi = firstRow(b, keys);
                Hashes h = inOneSnapshot(c, n, shape, rebuild, lo, hi, between);
                for (int attempt = 1; !h.equal() && attempt <= rechecks; attempt++) {
                    rechecked++;
                    between.catchUp();
                    h = inOneSnapshot(c, n, shape, rebuild, lo, hi, between);
                }
                if (!h.equal()) {
                    throw new ValidationMismatch("the shadow differs from the converted original in key range " + describe(lo, hi)
                            + ": " + h.originalRows() + " row(s) in the original, " + h.shadowRows() + " in the shadow"
                            + (h.originalRows() == h.shadowRows() ? " with different values" : "") + ", after " + rechecks
                            + " re-check(s) with the change log applied (keys still pending in it left aside)");
                }
                rows += h.shadowRows();
                chunks++;
                if (hi == null) {
                    return new Result(rows, chunks, rechecked, ChangeLog.pending(c, n));
                }
                lo = hi;
            }
        }
    }

    private record Hashes(long originalRows, String originalHash, long shadowRows, String shadowHash) {
        boolean equal() {
            return originalRows == shadowRows && originalHash.equals(shadowHash);
        }
    }

    /**
     * One range compared in one short REPEATABLE READ transaction: when the hashes differ, the slot is read into
     * the change log in it (logical capture) and the range compared again in the same snapshot, now leaving out
     * the writes that were still in the slot.
     */
    private static Hashes inOneSnapshot(Connection c, ShadowNames n, TableShape shape, ShadowRebuild rebuild, List<String> lo,
                                        List<String> hi, Between between) throws SQLException {
        c.setAutoCommit(false);
        try {
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            }
            Hashes h = compare(c, n, shape, rebuild, lo, hi);
            if (!h.equal()) {
                between.drain(c);
                h = compare(c, n, shape, rebuild, lo, hi);
            }
            c.commit();
            return h;
        } finally {
            ShortLocks.rollbackQuietly(c);
            c.setAutoCommit(true);
        }
    }

    private static Hashes compare(Connection c, ShadowNames n, TableShape shape, ShadowRebuild rebuild, List<String> lo, List<String> hi)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ShadowSql.chunkHashes(n, shape, rebuild, lo != null, hi != null))) {
            int p = 1;
            // the log's old keys, its new keys, the original, the shadow: each bound to the range
            for (int side = 0; side < 4; side++) {
                for (List<String> bound : java.util.Arrays.asList(lo, hi)) {
                    if (bound != null) {
                        for (String k : bound) {
                            ps.setString(p++, k);
                        }
                    }
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Hashes(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4));
            }
        }
    }

    private static List<String> firstRow(PreparedStatement ps, int columns) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= columns; i++) {
                out.add(rs.getString(i));
            }
            return out;
        }
    }

    private static String describe(List<String> lo, List<String> hi) {
        return "(" + (lo == null ? "start" : String.join(", ", lo)) + ", " + (hi == null ? "end" : String.join(", ", hi)) + "]";
    }

    /** A rebuild that reorders the key: EXCEPT both ways in one snapshot, as the only way to pair the rows up. */
    private static Result wholeTable(Connection c, ShadowNames n, TableShape shape, ShadowRebuild rebuild, Between between)
            throws SQLException, ValidationMismatch {
        String orig = ShadowSql.comparable(n.qualified(n.table()), shape, ShadowSql.byColumn(rebuild));
        String shadow = ShadowSql.comparableAsIs(n.qualified(n.shadow()), shape);
        List<Integer> keyColumns = new ArrayList<>();
        for (String k : shape.primaryKey()) {
            keyColumns.add(shape.columns().indexOf(shape.column(k).orElseThrow()));
        }
        StringBuilder match = new StringBuilder();
        for (int i = 0; i < keyColumns.size(); i++) {
            match.append(i == 0 ? "" : " AND ").append("p.k").append(i).append(" = d.c").append(keyColumns.get(i));
        }
        String notPending = " WHERE NOT EXISTS (SELECT 1 FROM pending p WHERE " + match + ")";
        String pending = "WITH pending AS (" + ShadowSql.pendingKeys(n, shape, rebuild) + ") ";
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            // not READ ONLY: logical capture writes the slot's keys into the change log in this transaction
            StatementFailed.exec(s, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            // the snapshot first, then the slot read: every write it sees is applied, in the log, or read now
            StatementFailed.exec(s, "SELECT 1");
            between.drain(c);
            long pendingKeys = count(s, pending + "SELECT count(*) FROM pending");
            long missing = count(s, pending + "SELECT count(*) FROM (" + orig + " EXCEPT " + shadow + ") d" + notPending);
            long extra = count(s, pending + "SELECT count(*) FROM (" + shadow + " EXCEPT " + orig + ") d" + notPending);
            if (missing != 0 || extra != 0) {
                throw new ValidationMismatch(missing + " converted row(s) of the original are not in the shadow and "
                        + extra + " shadow row(s) are not in the original (beyond " + pendingKeys
                        + " key(s) still pending in the change log)");
            }
            long rows = count(s, "SELECT count(*) FROM " + n.qualified(n.shadow()));
            c.commit();
            return new Result(rows, 1, 0, pendingKeys);
        } finally {
            ShortLocks.rollbackQuietly(c);
            c.setAutoCommit(true);
        }
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
