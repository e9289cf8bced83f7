package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.PlanControl;

import java.sql.SQLException;
import java.util.List;

/**
 * SHADOW, capture on: the high-water mark, taken after the capture trigger committed, so that every write to a row
 * above it is in the change log; the rows up to it are the backfill's. The benchmark's hold-before-backfill lets
 * capture run alone for a while here.
 */
final class CapturePhase implements ShadowPhase {

    @Override
    public String checkpoint() {
        return ShadowCheckpoint.BACKFILLING;
    }

    @Override
    public PlanControl run(ShadowRun r) throws SQLException, ShadowFailure, InterruptedException {
        r.doing.now("SHADOW", "high-water mark (SELECT max key)");
        List<String> hwm = Backfill.highWaterMark(r.c, r.n, r.original);
        long total = Preflight.scalarLong(r.c, "SELECT count(*) FROM " + r.table(), null);
        r.store.highWaterMark(r.planId, r.n.table(), hwm, total);
        PlanControl held = r.reached(checkpoint());
        if (held != null) {
            return held;
        }
        return r.hold("SHADOW", "capture only on " + r.table() + ": holding the backfill for " + r.config.holdBeforeBackfill()
                + " (hold-before-backfill)", r.config.holdBeforeBackfill());
    }
}
