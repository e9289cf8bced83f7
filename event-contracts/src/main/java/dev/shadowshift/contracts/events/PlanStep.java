package dev.shadowshift.contracts.events;

/** One statement of a migration plan, in the order it runs. */
public record PlanStep(int order, String table, String kind, String sql, String lockLevel, String path) {
}
