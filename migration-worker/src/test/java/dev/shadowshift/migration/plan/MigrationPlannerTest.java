package dev.shadowshift.migration.plan;

import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.migration.api.SqlPreview;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.shadow.ShadowSteps;
import dev.shadowshift.operations.Catalog;
import dev.shadowshift.pg.LiveSchema;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The planner against catalog facts: typed changes in, a plan out, the event's own labels never believed. */
class MigrationPlannerTest {

    /** Schema shop: customers(id text pk, email text, balance integer) of 1200 rows, orders(id text pk, note text). */
    static Catalog shop() {
        return Catalog.of(new LiveSchema("shop", true, Map.of(
                "customers", table("customers", 1200, "id", "text", "email", "text", "balance", "integer"),
                "orders", table("orders", 10, "id", "text", "note", "text"))),
                Map.of("text", "text", "bigint", "bigint", "integer", "integer", "numeric", "numeric"), Map.of());
    }

    private static LiveSchema.Table table(String name, long rows, String... columnsAndTypes) {
        Map<String, LiveSchema.Column> cols = new LinkedHashMap<>();
        for (int i = 0; i < columnsAndTypes.length; i += 2) {
            cols.put(columnsAndTypes[i], new LiveSchema.Column(columnsAndTypes[i], columnsAndTypes[i + 1], i == 0, i / 2 + 1));
        }
        return new LiveSchema.Table(name, cols, List.of("id"), List.of(
                new LiveSchema.Index(name + "_pkey", "btree", List.of("id"), true, true, true, "")), rows);
    }

    static SchemaChange change(ChangeKind kind, String table, String column, String toType) {
        return new SchemaChange(kind, "shop", table, column, null, toType, null, null, null, null, null, null, null, null);
    }

    static Plan plan(SchemaChange... changes) {
        return plan(shop(), changes);
    }

    static Plan plan(Catalog catalog, SchemaChange... changes) {
        return MigrationPlanner.plan("plan-1", new SpecChanged("shop", 2, 1, "0".repeat(64), "main", "shop", "BACKWARD", List.of(changes)),
                catalog, ShadowSteps.ANNOUNCED);
    }

    @Test
    void planIdIsDeterministicPerSpecChangedEvent() {
        assertEquals(MigrationPlanner.planIdFor("evt-1"), MigrationPlanner.planIdFor("evt-1"));
        assertNotEquals(MigrationPlanner.planIdFor("evt-1"), MigrationPlanner.planIdFor("evt-2"));
    }

    @Test
    void newSchemaAndTablesAreReadyWithoutBackupAndRenderedByTheirOperations() {
        Catalog empty = Catalog.of(new LiveSchema("shop", false, Map.of()), Map.of("text", "text"), Map.of());
        Plan p = plan(empty, new SchemaChange(ChangeKind.CREATE_SCHEMA, "shop", null, null, null, null, null, null, null, null, null,
                        null, null, null),
                new SchemaChange(ChangeKind.CREATE_TABLE, "shop", "orders", null, null, null, null, null, null,
                        List.of(new SchemaChange.ColumnSpec("id", "text", false, true)), null, null, null, null),
                change(ChangeKind.ADD_COLUMN, "orders", "note", "text"));
        MigrationPlanned plan = p.announced();
        assertEquals(PlanState.READY, p.state());
        assertEquals("LOW", plan.risk());
        assertFalse(plan.requiresBackup());
        assertEquals(List.of("CREATE_SCHEMA", "CREATE_TABLE", "ADD_COLUMN"), kinds(plan));
        assertEquals(List.of(new SchemaChange.ColumnSpec("id", "text", false, true)), plan.steps().get(1).columns());
        assertEquals("note", plan.steps().get(2).column());
        assertEquals("CREATE SCHEMA IF NOT EXISTS \"shop\"", SqlPreview.sql(plan.planId(), plan.steps().get(0)),
                "the SQL is rendered from the typed step where it is shown");
        assertEquals(3, p.operations().size(), "every in-place step runs its stored typed change");
    }

    @Test
    void alteringAnExistingTableNeedsABackupOfExactlyThatTableAndWhatIsInPlaceAlreadyIsSkipped() {
        Plan p = plan(change(ChangeKind.ADD_COLUMN, "customers", "phone", "text"), change(ChangeKind.ADD_COLUMN, "customers", "email", "text"));
        assertEquals(PlanState.AWAITING_BACKUP, p.state());
        assertEquals(List.of("shop.customers"), p.announced().backupTables());
        assertEquals(1, p.announced().steps().size(), "email exists already");
        assertEquals("MEDIUM", p.announced().risk());
    }

    @Test
    void rewritesOfOneTableConsolidateIntoOneShadowRebuild() {
        Plan p = plan(change(ChangeKind.ALTER_COLUMN_TYPE, "customers", "balance", "bigint"),
                change(ChangeKind.SET_NOT_NULL, "customers", "balance", null),
                change(ChangeKind.ADD_COLUMN, "orders", "total", "numeric"));
        assertEquals("MIXED", p.announced().strategy());
        assertEquals(PlanState.AWAITING_BACKUP, p.state());
        assertEquals(List.of(new ShadowRebuild("shop", "customers", List.of(new ShadowRebuild.ColumnChange("balance", "bigint", "integer", true)))),
                p.rebuilds());
        assertEquals(List.of("ADD_COLUMN", "SHADOW_PREPARE", "SHADOW_COPY", "SHADOW_OPTIMIZE", "SHADOW_CUTOVER"),
                kinds(p.announced()), "in-place first: the shadow copies the new column");
        PlanStep copy = p.announced().steps().get(2);
        assertEquals(List.of(new PlanStep.Rewrite("balance", "integer", "bigint", true)), copy.rewrites());
        assertEquals(ChangePath.SHADOW_TABLE, copy.path());
        assertEquals(LockLevel.SHARE_ROW_EXCLUSIVE, copy.lockLevel());
        assertTrue(copy.hazards().contains(Classification.REWRITE), copy.hazards().toString());
        assertTrue(SqlPreview.sql(p.announced().planId(), copy).contains("ALTER COLUMN \"balance\" TYPE bigint"),
                SqlPreview.sql(p.announced().planId(), copy));
        assertEquals("HIGH", p.announced().risk());
    }

    @Test
    void dropsWaitForApprovalWhateverTheirLabelsSayAndComeLast() {
        SchemaChange forged = change(ChangeKind.DROP_TABLE, "orders", null, null)
                .labelled(Classification.ADDITIVE, LockLevel.NONE, ChangePath.IN_PLACE);
        Plan p = plan(forged, change(ChangeKind.ADD_COLUMN, "customers", "phone", "text"),
                change(ChangeKind.DROP_COLUMN, "customers", "email", null));
        assertEquals(PlanState.AWAITING_APPROVAL, p.state());
        assertEquals(List.of("ADD_COLUMN", "DROP_TABLE", "DROP_COLUMN"), kinds(p.announced()));
        assertEquals(List.of(ChangePath.IN_PLACE, ChangePath.NEEDS_APPROVAL, ChangePath.NEEDS_APPROVAL),
                p.announced().steps().stream().map(PlanStep::path).toList());
        assertEquals(List.of(Classification.DESTRUCTIVE), p.announced().steps().get(1).hazards().subList(0, 1),
                "the worker's own reading, not the forged label");
        assertTrue(p.holdReason().contains("DROP_TABLE orders") && p.holdReason().contains("labelled it ADDITIVE/IN_PLACE"), p.holdReason());
        assertEquals(List.of("shop.customers", "shop.orders"), p.announced().backupTables().stream().sorted().toList());
    }

    @Test
    void aNarrowingTypeChangeWaitsForApproval() {
        Plan p = plan(change(ChangeKind.ALTER_COLUMN_TYPE, "customers", "email", "bigint")
                .labelled(Classification.RELAXING, LockLevel.NONE, ChangePath.IN_PLACE));
        assertEquals(PlanState.AWAITING_APPROVAL, p.state());
        assertEquals("SHADOW_TABLE", p.announced().strategy());
        assertTrue(p.holdReason().contains("approval"), p.holdReason());
    }

    @Test
    void whatTheCatalogDoesNotAllowIsPendingWithItsReason() {
        Plan p = plan(change(ChangeKind.ADD_COLUMN, "customers", "email", "bigint"));
        assertEquals(1, p.announced().pending().size());
        assertTrue(p.announced().pending().get(0).reason().contains("already exists with type text"), p.announced().pending().toString());
        assertEquals(PlanState.AWAITING_APPROVAL, p.state(), "nothing can run: a person has to look");
        assertTrue(p.holdReason().startsWith("nothing can be applied"), p.holdReason());
    }

    @Test
    void anUnknownTypeAnotherSchemaOrAMissingFieldMakesTheWholeEventInvalid() {
        for (SchemaChange bad : List.of(change(ChangeKind.ADD_COLUMN, "customers", "x", "nosuchtype"),
                new SchemaChange(ChangeKind.ADD_COLUMN, "pg_catalog", "pg_class", "x", null, "text", null, null, null, null, null, null, null, null),
                change(ChangeKind.ALTER_COLUMN_TYPE, "customers", "balance", null))) {
            InvalidEventException e = assertThrows(InvalidEventException.class, () -> plan(change(ChangeKind.ADD_COLUMN, "customers", "ok", "text"), bad));
            assertTrue(e.getMessage().contains("nothing was changed"), e.getMessage());
        }
    }

    @Test
    void nothingToChangeIsNothingToDo() {
        Plan p = plan(change(ChangeKind.ADD_COLUMN, "customers", "email", "text"));
        assertEquals(PlanState.NOTHING_TO_DO, p.state());
        assertNull(p.holdReason());
    }

    @Test
    void transitionsStartOnlyWhereTheyMay() {
        assertTrue(PlanTransition.APPROVE.allowedFrom(PlanState.AWAITING_APPROVAL));
        assertFalse(PlanTransition.APPROVE.allowedFrom(PlanState.CANCELLED));
        assertFalse(PlanTransition.FAIL.allowedFrom(PlanState.COMPLETED), "a late backup-failed never fails a completed plan");
        assertEquals(PlanState.AWAITING_BACKUP, PlanTransition.APPROVE.toWithoutBackup());
        assertTrue(PlanTransition.ROLL_BACK.allowedFrom(PlanState.COMPLETED));
        for (PlanTransition t : PlanTransition.values()) {
            assertTrue(t.from().stream().noneMatch(PlanState::finished) || t == PlanTransition.ROLL_BACK, t + " leaves no end state");
        }
    }

    private static List<String> kinds(MigrationPlanned plan) {
        return plan.steps().stream().map(s -> s.kind().name()).toList();
    }
}
