package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;

import java.util.List;

/**
 * How one operation must be applied, as its class decides it from the typed change and the catalog.
 *
 * @param hazards       every hazard, the primary classification first
 * @param path          IN_PLACE or SHADOW_TABLE: how the statement runs
 * @param needsApproval it runs only once an operator approved the plan (drops, narrowing type changes, primary keys
 *                      added to live tables)
 * @param noOp          the catalog already is as the change wants it: nothing runs
 * @param why           the reason, in words, for the log, the plan and the dry run
 */
public record Decision(List<Classification> hazards, LockLevel lockLevel, ChangePath path, boolean needsApproval,
                       boolean noOp, String why) {

    public Classification classification() {
        return hazards.get(0);
    }

    /** The path as the advisory label spells it: an in-place change that waits for approval is NEEDS_APPROVAL. */
    public ChangePath label() {
        return needsApproval && path == ChangePath.IN_PLACE ? ChangePath.NEEDS_APPROVAL : path;
    }

    static Decision inPlace(LockLevel lock, String why, Classification... hazards) {
        return new Decision(List.of(hazards), lock, ChangePath.IN_PLACE, false, false, why);
    }

    static Decision approval(LockLevel lock, String why, Classification... hazards) {
        return new Decision(List.of(hazards), lock, ChangePath.IN_PLACE, true, false, why);
    }

    static Decision nothing(LockLevel lock, String why, Classification... hazards) {
        return new Decision(List.of(hazards), lock, ChangePath.IN_PLACE, false, true, why);
    }

    Decision approvalToo(String because) {
        return new Decision(hazards, lockLevel, path, true, noOp, why + "; " + because);
    }
}
