package dev.shadowshift.migration.plan;

import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.operations.Catalog;
import dev.shadowshift.operations.Decision;
import dev.shadowshift.operations.OperationRefused;
import dev.shadowshift.operations.Operations;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Turns typed changes and the live catalog into a plan. Pure logic: the catalog arrives read and its type names
 * resolved by the server beforehand; nothing here talks to PostgreSQL.
 *
 * <p>Every change is validated by its operation class against the catalog as the changes before it leave it; the
 * event's own classification, lock and path are never consulted. What the operations decide:
 * <ul>
 *   <li>a change that names an unknown type, a malformed name, another schema or a default the server cannot cast
 *   makes the whole event invalid: nothing is planned, the record goes to the dead-letter topic with the reasons;</li>
 *   <li>a change the live catalog does not allow (a column that exists with another type, a NOT NULL column without
 *   default on a table with rows) is {@code pending}: reported with its reason, never applied;</li>
 *   <li>what is already in place is skipped; additive and relaxing changes run in place, in the event's order, one
 *   table per short transaction; rewrites (type changes, SET NOT NULL) of one table are consolidated into ONE
 *   shadow-table rebuild; drops, narrowing type changes and primary keys added to live tables hold the plan in
 *   AWAITING_APPROVAL (whatever the event called them), and their in-place steps come last.</li>
 * </ul>
 */
public final class MigrationPlanner {

    /** Above this many rows in the altered tables, even an in-place change is high risk (lock queues, long scans). */
    public static final long HIGH_RISK_ROWS = 1_000_000;
    private static final Set<Classification> HIGH_RISK = Set.of(Classification.DESTRUCTIVE, Classification.REWRITE,
            Classification.DATA_DEPENDENT, Classification.BACKWARD_INCOMPATIBLE);
    /** Refusals that say the event itself is wrong, whatever the database holds: poison, for the dead-letter topic. */
    private static final Set<Class<?>> INVALID = Set.of(OperationRefused.TypeUnknown.class, OperationRefused.InvalidName.class,
            OperationRefused.SchemaMismatch.class, OperationRefused.FieldMissing.class, OperationRefused.DefaultInvalid.class,
            OperationRefused.DuplicateColumn.class);

    /** One phase the shadow engine announces for a rebuild, with the lock it takes (the engine's package knows them). */
    public record ShadowStep(PlanStep.Kind kind, LockLevel lockLevel) {
    }

    /** How the SHADOW_TABLE steps of a rebuild read in the announcement. */
    public interface ShadowSteps {
        List<ShadowStep> of(String planId, ShadowRebuild rebuild);
    }

    private MigrationPlanner() {
    }

    /** The same spec-changed event always yields the same plan id, so a redelivery finds the plan it made. */
    public static String planIdFor(String specChangedEventId) {
        return UUID.nameUUIDFromBytes(("migration-plan:" + specChangedEventId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * @param catalog the target schema as it is now, with the changes' type names resolved by the server
     * @throws InvalidEventException naming every change that makes the event invalid
     */
    public static Plan plan(String planId, SpecChanged spec, Catalog catalog, ShadowSteps shadowSteps) {
        Operations.Outcome outcome = Operations.validate(spec.changes(), catalog);
        List<String> invalid = outcome.refused().stream().filter(r -> INVALID.contains(r.reason().getClass()))
                .map(r -> r.reason().getMessage()).toList();
        if (!invalid.isEmpty()) {
            throw new InvalidEventException("spec-changed for " + spec.target() + "/" + spec.schema() + " cannot be planned, "
                    + "nothing was changed: " + String.join("; ", invalid));
        }
        List<SchemaChange> pending = outcome.refused().stream()
                .map(r -> r.change().withReason("not planned: " + r.reason().getMessage())).toList();

        List<Operations.Validated> inPlace = new ArrayList<>();
        List<Operations.Validated> held = new ArrayList<>();
        Map<String, Map<String, ShadowRebuild.ColumnChange>> rewrites = new LinkedHashMap<>();
        Map<String, Set<Classification>> rewriteHazards = new LinkedHashMap<>();
        List<String> approvals = new ArrayList<>();
        Set<String> altered = new LinkedHashSet<>();
        boolean dangerous = false;
        boolean locking = false;
        for (Operations.Validated v : outcome.validated()) {
            Decision d = v.decision();
            if (d.noOp()) {
                continue;
            }
            SchemaChange c = v.change();
            dangerous |= d.hazards().stream().anyMatch(HIGH_RISK::contains);
            locking |= d.hazards().contains(Classification.LOCKING);
            if (d.needsApproval()) {
                approvals.add(c.kind() + " " + c.target() + ": " + d.why() + labels(c, d));
            }
            String table = v.operation().table();
            if (table != null && !table.isEmpty() && catalog.table(table).isPresent()) {
                altered.add(table);
            }
            if (d.path() == ChangePath.SHADOW_TABLE) {
                Map<String, ShadowRebuild.ColumnChange> columns = rewrites.computeIfAbsent(c.table(), t -> new LinkedHashMap<>());
                ShadowRebuild.ColumnChange prev = columns.get(c.column());
                String live = catalog.table(c.table()).flatMap(t -> t.column(c.column())).map(Catalog.Column::type).orElse(null);
                columns.put(c.column(), c.kind() == ChangeKind.ALTER_COLUMN_TYPE
                        ? new ShadowRebuild.ColumnChange(c.column(), c.toType(), live, prev != null && prev.setNotNull())
                        : new ShadowRebuild.ColumnChange(c.column(), prev == null ? null : prev.toType(), live, true));
                rewriteHazards.computeIfAbsent(c.table(), t -> new LinkedHashSet<>()).addAll(d.hazards());
            } else if (d.needsApproval()) {
                held.add(v);
            } else {
                inPlace.add(v);
            }
        }

        List<PlanStep> steps = new ArrayList<>();
        List<StepOperation> operations = new ArrayList<>();
        for (Operations.Validated v : inPlace) {
            addStep(steps, operations, v, catalog);
        }
        List<ShadowRebuild> rebuilds = new ArrayList<>();
        for (Map.Entry<String, Map<String, ShadowRebuild.ColumnChange>> e : rewrites.entrySet()) {
            ShadowRebuild rebuild = new ShadowRebuild(spec.schema(), e.getKey(), List.copyOf(e.getValue().values()));
            rebuilds.add(rebuild);
            List<PlanStep.Rewrite> columns = rebuild.changes().stream()
                    .map(c -> new PlanStep.Rewrite(c.column(), c.fromType(), c.toType(), c.setNotNull())).toList();
            List<Classification> hazards = List.copyOf(rewriteHazards.get(e.getKey()));
            for (ShadowStep s : shadowSteps.of(planId, rebuild)) {
                steps.add(PlanStep.shadow(steps.size() + 1, s.kind(), rebuild.schema(), rebuild.table(), columns, s.lockLevel(), hazards));
            }
        }
        for (Operations.Validated v : held) {
            addStep(steps, operations, v, catalog);
        }

        boolean requiresBackup = !altered.isEmpty();
        long rows = 0;
        for (SchemaChange c : spec.changes()) {
            if (c.table() != null) {
                rows += catalog.table(c.table()).map(Catalog.Table::estimatedRows).orElse(0L);
            }
        }
        long alteredRows = altered.stream().mapToLong(t -> catalog.table(t).map(Catalog.Table::estimatedRows).orElse(0L)).sum();
        String risk = dangerous || (requiresBackup && alteredRows >= HIGH_RISK_ROWS) ? "HIGH"
                : requiresBackup || locking || !pending.isEmpty() ? "MEDIUM" : "LOW";
        boolean nothingRunnable = steps.isEmpty() && !pending.isEmpty();
        PlanState state = PlanState.initial(!steps.isEmpty(), !approvals.isEmpty() || nothingRunnable, requiresBackup);
        String holdReason = !approvals.isEmpty()
                ? "waits for an operator's approval (POST /migrations/" + planId + "/approve or ./shadowshift migrate --approve): "
                + String.join("; ", approvals)
                : nothingRunnable ? "nothing can be applied as described: " + String.join("; ", pending.stream().map(SchemaChange::reason).toList())
                : null;
        MigrationPlanned announced = new MigrationPlanned(planId, spec.subject(), spec.version(), spec.target(), spec.schema(),
                strategy(steps, pending), state.name(), requiresBackup,
                altered.stream().map(t -> spec.schema() + "." + t).toList(), risk, rows, steps, pending);
        return new Plan(announced, state, operations, rebuilds, holdReason);
    }

    private static void addStep(List<PlanStep> steps, List<StepOperation> operations, Operations.Validated v, Catalog catalog) {
        int order = steps.size() + 1;
        SchemaChange c = v.change();
        if (c.kind() == ChangeKind.ALTER_COLUMN_TYPE) {
            // the producer's fromType is advisory: the step says what the worker read
            String column = c.column();
            String live = catalog.table(c.table()).flatMap(t -> t.column(column)).map(Catalog.Column::type).orElse(null);
            c = new SchemaChange(c.kind(), c.schema(), c.table(), c.column(), live, c.toType(), c.nullable(), c.defaultValue(),
                    c.index(), c.columns(), null, null, null, null);
        }
        Decision d = v.decision();
        steps.add(PlanStep.of(order, c, d.lockLevel(), d.label(), d.hazards()));
        operations.add(new StepOperation(order, v.change()));
    }

    /** Says so when the producer's labels disagree with the worker's reading: they are advisory, and were not believed. */
    private static String labels(SchemaChange c, Decision d) {
        if (c.classification() == null && c.path() == null) {
            return "";
        }
        if (c.classification() == d.classification() && c.path() == d.label()) {
            return "";
        }
        return " (its producer labelled it " + c.classification() + "/" + c.path() + "; the worker's own reading is "
                + d.classification() + "/" + d.label() + ")";
    }

    private static String strategy(List<PlanStep> steps, List<SchemaChange> pending) {
        boolean shadow = steps.stream().anyMatch(s -> s.path() == ChangePath.SHADOW_TABLE);
        boolean other = steps.stream().anyMatch(s -> s.path() != ChangePath.SHADOW_TABLE) || !pending.isEmpty();
        if (shadow && other) {
            return "MIXED";
        }
        return shadow ? "SHADOW_TABLE" : other ? "IN_PLACE" : "NONE";
    }
}
