package dev.shadowshift.migration.store;

import dev.shadowshift.migration.plan.PlanState;

/** Told when a plan's state changed in the store and when a backfill copied rows (the service's metrics). */
public interface PlanListener {
    PlanListener NONE = new PlanListener() {
    };

    default void entered(String target, PlanState state) {
    }

    default void rowsCopied(String target, String table, long rows) {
    }
}
