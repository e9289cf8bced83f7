package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.PlanControl;

import java.sql.SQLException;

/** OPTIMIZATION: the original's indexes built CONCURRENTLY on the shadow, constraints NOT VALID then VALIDATEd ({@link Optimization}). */
final class IndexPhase implements ShadowPhase {

    @Override
    public String checkpoint() {
        return ShadowCheckpoint.OPTIMIZED;
    }

    @Override
    public PlanControl run(ShadowRun r) throws SQLException, ShadowFailure, InterruptedException {
        r.report.say("OPTIMIZATION", "building indexes CONCURRENTLY and validating constraints on " + r.n.qualified(r.n.shadow()));
        r.doing.now("OPTIMIZATION", "CREATE INDEX CONCURRENTLY / ADD CONSTRAINT NOT VALID / VALIDATE CONSTRAINT");
        Optimization.start(r.c, r.n, r.rebuild, (what, sql) -> r.shortLock(what, conn -> {
            try (var s = conn.createStatement()) {
                s.execute(sql);
            }
            return null;
        }));
        r.store.phase(r.planId, r.n.table(), checkpoint());
        return r.reached(checkpoint());
    }
}
