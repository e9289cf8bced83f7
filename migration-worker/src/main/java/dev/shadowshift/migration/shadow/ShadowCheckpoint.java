package dev.shadowshift.migration.shadow;

import java.time.OffsetDateTime;
import java.util.List;

/** One table's rebuild as the state database holds it: the last checkpoint reached and the backfill position. */
public record ShadowCheckpoint(
        String planId,
        String schema,
        String table,
        String phase,
        String shadowTable,
        String rollbackTable,
        String preflight,
        List<String> highWaterMark,
        List<String> lastKey,
        long rowsCopied,
        Long rowsTotal,
        Integer batchSize,
        boolean reverseSync,
        OffsetDateTime cutOverAt,
        OffsetDateTime rollbackUntil,
        String error) {

    public static final String PREPARED = "PREPARED";
    public static final String SHADOW_CREATED = "SHADOW_CREATED";
    public static final String BACKFILLING = "BACKFILLING";
    public static final String BACKFILLED = "BACKFILLED";
    public static final String OPTIMIZED = "OPTIMIZED";
    public static final String VALIDATED = "VALIDATED";
    public static final String CUT_OVER = "CUT_OVER";
    public static final String CLEANED = "CLEANED";
    public static final String ROLLED_BACK = "ROLLED_BACK";
    public static final String ABANDONED = "ABANDONED";

    private static final List<String> ORDER = List.of(PREPARED, SHADOW_CREATED, BACKFILLING, BACKFILLED, OPTIMIZED,
            VALIDATED, CUT_OVER);

    /** True once the checkpoint is at or past {@code phase} on the way to cutover. */
    public boolean reached(String phase) {
        int at = ORDER.indexOf(this.phase);
        return at >= 0 && at >= ORDER.indexOf(phase);
    }

    public boolean finished() {
        return List.of(CUT_OVER, CLEANED, ROLLED_BACK, ABANDONED).contains(phase);
    }
}
