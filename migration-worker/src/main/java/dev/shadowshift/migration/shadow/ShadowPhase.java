package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.PlanControl;

import java.sql.SQLException;

/**
 * One phase of a shadow rebuild, run after the previous one's checkpoint and recording its own at its end: a seam
 * that can be replaced by another implementation of the same step (another capture, validation or rollback window)
 * without touching the sequence, the checkpoints or the failure handling around it ({@link ShadowEngine}).
 */
interface ShadowPhase {

    /** The checkpoint this phase records when done; a resumed run skips the phase once the rebuild reached it. */
    String checkpoint();

    /** @return PAUSE or CANCEL when an operator asked the run to stop at its end (during a hold), else null */
    PlanControl run(ShadowRun run) throws SQLException, ShadowFailure, InterruptedException;
}
