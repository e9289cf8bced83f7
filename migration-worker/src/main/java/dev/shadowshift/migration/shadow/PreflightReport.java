package dev.shadowshift.migration.shadow;

import java.util.List;

/**
 * What the read-only preflight found, stored with the checkpoint and returned by the dry run.
 *
 * @param problems every check that failed, in words; empty when the migration may go on
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
