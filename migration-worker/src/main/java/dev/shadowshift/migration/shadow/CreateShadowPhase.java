package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.PlanControl;

import java.sql.SQLException;

/** SHADOW, part one: the shadow table, the change log and the capture triggers, in one short-lock transaction ({@link CreateShadow}). */
final class CreateShadowPhase implements ShadowPhase {

    @Override
    public String checkpoint() {
        return ShadowCheckpoint.SHADOW_CREATED;
    }

    @Override
    public PlanControl run(ShadowRun r) throws SQLException, ShadowFailure, InterruptedException {
        r.report.say("SHADOW", "creating shadow table " + r.n.qualified(r.n.shadow()) + " with capture triggers");
        r.doing.now("SHADOW", "CREATE TABLE shadow / CREATE TRIGGER capture");
        r.shortLock("installing capture on " + r.table(), conn -> {
            CreateShadow.start(conn, r.n, r.original, r.rebuild);
            return null;
        });
        r.store.phase(r.planId, r.n.table(), checkpoint());
        return r.reached(checkpoint());
    }
}
