package dev.shadowshift.migration.plan;

import dev.shadowshift.contracts.events.MigrationPlanned;

import java.util.List;

/**
 * What the planner made of one spec change: the migration-planned announcement, the typed operations of its in-place
 * steps, the shadow rebuilds behind its SHADOW_TABLE steps, and why it waits, when it waits for an operator.
 */
public record Plan(MigrationPlanned announced, PlanState state, List<StepOperation> operations, List<ShadowRebuild> rebuilds,
                   String holdReason) {
}
