package dev.shadowshift.backup.pins;

/**
 * What a migration-progress event means for the pin on its plan's backup. Pure. The window a plan can be rolled
 * back in closes when migration-worker drops its last rollback point (phase ROLLBACK_WINDOW_CLOSED), when the plan
 * was rolled back, or, for a plan that rebuilds no table (strategy IN_PLACE, no rollback point), when it completed;
 * any other event says the plan is still going, which holds the pin's time bound open.
 */
public final class PlanPins {

    public static final String WINDOW_CLOSED = "ROLLBACK_WINDOW_CLOSED";

    public enum Effect { RELEASE, EXTEND }

    private PlanPins() {
    }

    /** @param strategy the plan's strategy as its migration-planned said (IN_PLACE, SHADOW_TABLE, MIXED), or null if unknown */
    public static Effect after(String status, String phase, String strategy) {
        if (WINDOW_CLOSED.equals(phase) || "ROLLED_BACK".equals(status)) {
            return Effect.RELEASE;
        }
        if ("COMPLETED".equals(status) && "IN_PLACE".equals(strategy)) {
            return Effect.RELEASE;
        }
        return Effect.EXTEND;
    }
}
