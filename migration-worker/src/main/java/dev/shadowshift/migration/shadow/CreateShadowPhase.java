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
        java.util.Optional<String> noLogical = r.config.capture().equals("trigger")
                ? java.util.Optional.of("shadowshift.migration.shadow.capture is 'trigger'") : LogicalCapture.unavailable(r.c, r.n);
        r.logical = noLogical.isEmpty();
        r.report.say("SHADOW", r.logical
                ? "capture: logical decoding (wal_level=logical, slot " + LogicalCapture.slot(r.n) + ", " + LogicalCapture.PLUGIN
                        + "): the backfill copies the slot's exported snapshot and the writes after it stream from the slot, no trigger "
                        + "runs in the clients' writes; creating shadow table " + r.n.qualified(r.n.shadow())
                : "capture: trigger (" + noLogical.get() + "): a row trigger on " + r.table() + " logs the key of every write; "
                        + "creating shadow table " + r.n.qualified(r.n.shadow()) + " with capture triggers");
        r.doing.now("SHADOW", r.logical ? "CREATE TABLE shadow" : "CREATE TABLE shadow / CREATE TRIGGER capture");
        r.shortLock("installing capture on " + r.table(), conn -> {
            CreateShadow.start(conn, r.n, r.original, r.rebuild, !r.logical);
            return null;
        });
        r.store.phase(r.planId, r.n.table(), checkpoint());
        return r.reached(checkpoint());
    }
}
