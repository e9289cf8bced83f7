package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.PlanControl;

import java.sql.SQLException;

/** CUTOVER, first step: the log caught up, then the shadow compared with the converted original in one snapshot ({@link Validation}). */
final class ValidatePhase implements ShadowPhase {

    @Override
    public String checkpoint() {
        return ShadowCheckpoint.VALIDATED;
    }

    @Override
    public PlanControl run(ShadowRun r) throws SQLException, ShadowFailure, InterruptedException {
        r.report.say("CUTOVER", "validating " + r.n.qualified(r.n.shadow()) + " against " + r.table() + " in one snapshot");
        r.doing.now("CUTOVER", "applying the change log (copying logged rows into the shadow)");
        r.catchUp(r.config.cutoverMaxPending(), "before validation");
        r.doing.now("CUTOVER", "validation (EXCEPT both ways)");
        Validation.Result valid = Validation.run(r.c, r.n, r.original, r.rebuild);
        r.report.say("CUTOVER", "validated: " + r.n.qualified(r.n.shadow()) + " equals " + r.table() + " in one snapshot ("
                + valid.rows() + " rows; " + valid.pending() + " key(s) written since then are copied at the swap)");
        r.store.phase(r.planId, r.n.table(), checkpoint());
        return r.reached(checkpoint());
    }
}
