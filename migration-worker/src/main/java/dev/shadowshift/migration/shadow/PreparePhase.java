package dev.shadowshift.migration.shadow;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.migration.plan.PlanControl;

import java.sql.SQLException;

/** PREPARATION: the read-only preflight ({@link Preflight}), stored with the checkpoint; a failed check changes nothing. */
final class PreparePhase implements ShadowPhase {

    @Override
    public String checkpoint() {
        return ShadowCheckpoint.PREPARED;
    }

    @Override
    public PlanControl run(ShadowRun r) throws SQLException, ShadowFailure, InterruptedException {
        r.report.say("PREPARATION", "preflight of " + r.table());
        r.doing.now("PREPARATION", "preflight checks (catalog reads, cast dry run)");
        PreflightReport report = Preflight.start(r.c, r.n, r.rebuild, r.config);
        try {
            r.store.preflight(r.planId, r.n.table(), EventCodec.mapper().writeValueAsString(report));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Preflight.validate(report);
        return r.reached(checkpoint());
    }
}
