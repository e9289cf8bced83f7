package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.PlanControl;

import java.sql.Connection;
import java.sql.SQLException;

/** CUTOVER, first step: the log caught up, then the shadow compared with the converted original range by range ({@link Validation}). */
final class ValidatePhase implements ShadowPhase {

    @Override
    public String checkpoint() {
        return ShadowCheckpoint.VALIDATED;
    }

    @Override
    public PlanControl run(ShadowRun r) throws SQLException, ShadowFailure, InterruptedException {
        r.report.say("CUTOVER", "validating " + r.n.qualified(r.n.shadow()) + " against " + r.table() + " in key ranges of "
                + r.config.validationChunkRows() + " rows, one short snapshot each");
        r.doing.now("CUTOVER", "applying the change log (copying logged rows into the shadow)");
        r.catchUp(r.config.cutoverMaxPending(), "before validation");
        r.doing.now("CUTOVER", "validation (hash per primary-key range)");
        long t0 = System.nanoTime();
        Validation.Result valid = Validation.run(r.c, r.n, r.original, r.rebuild, r.config.validationChunkRows(),
                r.config.validationRechecks(), new Validation.Between() {
                    @Override
                    public void catchUp() throws SQLException {
                        r.catchUp(1, "to re-check a key range");
                    }

                    @Override
                    public void beforeRange() throws SQLException {
                        // a range reads only its own keys of the log (chunkHashes), so the log need not be near empty
                        // for it: applied down to one apply batch, not to cutover-max-pending, which under load took
                        // most of validation's time (the writers refill it about as fast as it is applied). Not left
                        // to grow either: the swap would then apply all of it before its lock (a 200k-row run left
                        // 637k writes to it and its cutover gave up), and logical capture reads the slot here, which
                        // keeps its retained WAL checked
                        r.catchUp(r.config.applyBatchSize(), "during validation");
                    }

                    @Override
                    public int throttle(int rows) throws SQLException, InterruptedException {
                        // sleeps and pauses only: the range size stays the configured one
                        r.throttle(r.c, "validation", rows);
                        return rows;
                    }

                    @Override
                    public void drain(Connection c) throws SQLException {
                        if (r.logical) {
                            r.drainSlot(c);
                        }
                    }
                });
        r.report.say("CUTOVER", String.format(java.util.Locale.ROOT, "validated: %s equals %s (%d rows in %d key range(s), "
                        + "%d re-checked after the change log was applied, in %.3f s; %d key(s) written since are copied at the swap)",
                r.n.qualified(r.n.shadow()), r.table(), valid.rows(), valid.chunks(), valid.rechecked(),
                (System.nanoTime() - t0) / 1e9, valid.pending()));
        r.store.phase(r.planId, r.n.table(), checkpoint());
        return r.reached(checkpoint());
    }
}
