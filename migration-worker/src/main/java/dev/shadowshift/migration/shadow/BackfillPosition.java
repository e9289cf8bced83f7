package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.TypeNames;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * For a table with a single integer key, capture leaves the rows the backfill has not reached to the backfill (see
 * ShadowSql.mirrorFunction): a write to such a row costs the client nothing extra. That is safe only if every row
 * a batch copies is copied in a version no older than any write capture skipped. So, before each batch:
 * <ol>
 *   <li>the batch's last key is found, and the position sequence is moved to it; from this moment every write to
 *   a row up to that key is mirrored (a sequence is read without a snapshot, so writers see it at once);</li>
 *   <li>every transaction that was writing to the table at that moment is waited for: only such a transaction can
 *   have skipped capture for a row of this batch, and once it has ended the batch's snapshot sees its write;</li>
 *   <li>the batch copies the rows up to that key, in its own, later snapshot.</li>
 * </ol>
 * Deletes are covered as before: the batch reads FOR KEY SHARE, so a delete either waits for the copy (and is then
 * mirrored, the position having passed the row) or came first (the row is gone from the batch's snapshot).
 */
final class BackfillPosition {

    private BackfillPosition() {
    }

    /** The high-water mark becomes the limit above which writes are always mirrored (rows inserted after capture began). */
    static void start(Connection c, ShadowNames n, List<String> highWaterMark) throws SQLException {
        set(c, n.qualified(n.backfillLimit()), highWaterMark.get(0));
    }

    /**
     * Claims the next batch: moves the position to its last key and waits until no transaction that might have
     * written to the batch's rows without capture is still open.
     *
     * @return the batch's last key (at most the high-water mark), as text
     */
    static String claim(Connection c, ShadowNames n, TableShape shape, String after, String highWaterMark, int size)
            throws SQLException, InterruptedException {
        String key = quote(shape.primaryKey().get(0));
        String type = TypeNames.require(shape.type(shape.primaryKey().get(0)), "type of " + key);
        String upper = highWaterMark;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + key + "::text FROM " + n.qualified(n.table()) + " WHERE "
                + (after == null ? "" : key + " > ?::" + type + " AND ") + key + " <= ?::" + type + " ORDER BY " + key
                + " OFFSET ? LIMIT 1")) {
            int p = 1;
            if (after != null) {
                ps.setString(p++, after);
            }
            ps.setString(p++, highWaterMark);
            ps.setInt(p, Math.max(0, size - 1));
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    upper = rs.getString(1);
                }
            }
        }
        set(c, n.qualified(n.backfillPosition()), upper);
        awaitWritersOf(c, n);
        return upper;
    }

    private static void set(Connection c, String qualifiedSequence, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.setval(" + ShadowSql.regclass(qualifiedSequence)
                + ", ?::bigint, true)")) {
            ps.setString(1, value);
            ps.execute();
        }
    }

    /** Waits for the transactions holding a write lock on the table now (typically milliseconds: they are OLTP writes). */
    private static void awaitWritersOf(Connection c, ShadowNames n) throws SQLException, InterruptedException {
        Array writers;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT coalesce(array_agg(DISTINCT l.virtualtransaction), '{}') FROM pg_catalog.pg_locks l
                WHERE l.locktype = 'relation' AND l.relation = to_regclass(?) AND l.granted
                  AND l.mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
                  AND l.pid IS DISTINCT FROM pg_backend_pid()""")) {
            ps.setString(1, n.qualified(n.table()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                writers = rs.getArray(1);
            }
        }
        if (((Object[]) writers.getArray()).length == 0) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_catalog.pg_locks "
                + "WHERE locktype = 'virtualxid' AND mode = 'ExclusiveLock' AND virtualxid = ANY(?)")) {
            ps.setArray(1, writers);
            for (long pause = 1; ; pause = Math.min(50, pause * 2)) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                Thread.sleep(pause);
            }
        }
    }
}
