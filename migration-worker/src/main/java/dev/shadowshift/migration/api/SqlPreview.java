package dev.shadowshift.migration.api;

import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.shadow.ShadowSteps;
import dev.shadowshift.operations.Operation;

import java.util.List;

/**
 * The statements of a plan's steps, for people to read: rendered here, by whoever shows them (the dry run, the CLI),
 * from the steps' typed fields with the same operation classes and shadow renderer that execution uses. No event
 * carries them.
 */
public final class SqlPreview {

    /** One step's statements, separated by ";\n" (comments describe what a shadow phase reads from the live catalog). */
    public record StepSql(int order, PlanStep.Kind kind, String table, String sql) {
    }

    private SqlPreview() {
    }

    public static List<StepSql> of(MigrationPlanned plan) {
        return plan.steps().stream().map(s -> new StepSql(s.order(), s.kind(), s.table(), sql(plan.planId(), s))).toList();
    }

    public static String sql(String planId, PlanStep step) {
        if (step.schema() == null) {
            return "-- no preview: this plan was stored before its steps were typed";
        }
        if (step.kind().changeKind() != null) {
            return String.join(";\n", Operation.of(step.change()).statements());
        }
        List<ShadowRebuild.ColumnChange> changes = step.rewrites() == null ? List.of() : step.rewrites().stream()
                .map(r -> new ShadowRebuild.ColumnChange(r.column(), r.toType(), r.fromType(), r.setNotNull())).toList();
        return ShadowSteps.sql(planId, new ShadowRebuild(step.schema(), step.table(), changes), step.kind());
    }
}
