package dev.shadowshift.migration.plan;

import dev.shadowshift.contracts.events.PlanStep;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a plan's ordered steps into the units execution commits one at a time: a run of consecutive steps on the
 * same table (and path) becomes one transaction, so each table is locked once and briefly; a table's SHADOW_TABLE
 * steps form one unit that the shadow engine runs. Schema creation and statements
 * that cannot run in a transaction block (CONCURRENTLY) are units of their own.
 */
public final class ExecutionUnits {

    /** @param ownTransaction false for statements that must run outside a transaction block */
    public record Unit(String table, List<PlanStep> steps, boolean ownTransaction) {
        public boolean shadow() {
            return "SHADOW_TABLE".equals(steps.get(0).path());
        }

        public int lastOrder() {
            return steps.get(steps.size() - 1).order();
        }
    }

    private ExecutionUnits() {
    }

    public static List<Unit> of(List<PlanStep> steps) {
        List<Unit> units = new ArrayList<>();
        List<PlanStep> current = new ArrayList<>();
        String currentTable = null;
        for (PlanStep step : steps) {
            boolean alone = step.kind().equals("CREATE_SCHEMA") || IdempotentSql.needsOwnTransaction(step.sql());
            if (!current.isEmpty() && (alone || !step.table().equals(currentTable)
                    || !step.path().equals(current.get(0).path()))) {
                units.add(new Unit(currentTable, current, true));
                current = new ArrayList<>();
            }
            if (alone) {
                units.add(new Unit(step.table(), List.of(step), !IdempotentSql.needsOwnTransaction(step.sql())));
                currentTable = null;
                continue;
            }
            current.add(step);
            currentTable = step.table();
        }
        if (!current.isEmpty()) {
            units.add(new Unit(currentTable, current, true));
        }
        return units;
    }
}
