package dev.shadowshift.migration.shadow;

import java.util.List;

/**
 * What the read-only preflight found, stored with the checkpoint and returned by the dry run.
 *
 * @param views             plain views that select from the table: re-created in the cutover transaction
 * @param materializedViews materialized views that select from the table: each is rebuilt on the new table and
 *                          refreshed after the cutover, then swapped in under a short lock of its own
 * @param problems          every check that failed, in words; empty when the migration may go on
 */
public record PreflightReport(
        String table,
        List<String> primaryKey,
        long tableBytes,
        long estimatedBytes,
        long budgetBytes,
        List<String> longTransactions,
        List<String> foreignKeysIn,
        List<String> foreignKeysOut,
        List<String> views,
        List<String> materializedViews,
        List<String> triggers,
        List<String> grants,
        List<String> sequences,
        List<CastCheck> casts,
        boolean reverseCastsExist,
        List<String> problems) {

    /** @param failingRows rows whose value would not convert, or would be NULL where NOT NULL is wanted */
    public record CastCheck(String column, String fromType, String toType, boolean setNotNull, long failingRows,
                            List<String> sampleKeys) {
    }
}
