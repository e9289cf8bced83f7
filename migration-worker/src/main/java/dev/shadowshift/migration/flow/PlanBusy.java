package dev.shadowshift.migration.flow;

/**
 * Another worker instance (or a {@code ./shadowshift migrate}) owns the plan: it holds the plan's advisory lock in
 * the state database. Not a failure of the plan: the owner runs it, and should the owner die, its lock goes with its
 * session and the next sweep picks the plan up.
 */
public class PlanBusy extends Exception {
    public PlanBusy(String planId) {
        super("plan " + planId + " is being run by another process (it holds the plan's advisory lock)");
    }
}
