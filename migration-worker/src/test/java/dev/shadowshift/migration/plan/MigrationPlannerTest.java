package dev.shadowshift.migration.plan;

import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.contracts.events.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MigrationPlannerTest {

    static SchemaChange change(String kind, String table, String column, String classification, String lock, String path,
                               String sql) {
        return new SchemaChange(kind, table, column, classification, lock, path, sql, null);
    }

    static SchemaChange createSchema() {
        return change("CREATE_SCHEMA", "", null, "ADDITIVE", "NONE", "IN_PLACE", "CREATE SCHEMA \"shop\"");
    }

    static SchemaChange createTable(String table) {
        return change("CREATE_TABLE", table, null, "ADDITIVE", "NONE", "IN_PLACE",
                "CREATE TABLE \"shop\".\"" + table + "\" (\"id\" text PRIMARY KEY)");
    }

    static SchemaChange addColumn(String table, String column) {
        return change("ADD_COLUMN", table, column, "ADDITIVE", "ACCESS EXCLUSIVE", "IN_PLACE",
                "ALTER TABLE \"shop\".\"" + table + "\" ADD COLUMN \"" + column + "\" text");
    }

    static SpecChanged spec(List<SchemaChange> changes) {
        return new SpecChanged("shop", 2, 1, "a".repeat(64), "main", "shop", "BACKWARD", changes);
    }

    @Test
    void planIdIsDeterministicPerSpecChangedEvent() {
        assertEquals(MigrationPlanner.planIdFor("evt-1"), MigrationPlanner.planIdFor("evt-1"));
        assertNotEquals(MigrationPlanner.planIdFor("evt-1"), MigrationPlanner.planIdFor("evt-2"));
    }

    @Test
    void newSchemaAndTablesAreReadyWithoutBackupInSchemaTableColumnOrder() {
        MigrationPlanned plan = MigrationPlanner.plan("p1", spec(List.of(
                createTable("orders"), createSchema(), createTable("customers"))), Map.of());

        assertEquals("READY", plan.status());
        assertEquals("IN_PLACE", plan.strategy());
        assertEquals("LOW", plan.risk());
        assertFalse(plan.requiresBackup());
        assertEquals(List.of(), plan.backupTables());
        assertEquals(List.of("CREATE_SCHEMA", "CREATE_TABLE", "CREATE_TABLE"), plan.steps().stream().map(PlanStep::kind).toList());
        assertEquals(List.of("", "orders", "customers"), plan.steps().stream().map(PlanStep::table).toList());
        assertEquals(List.of(1, 2, 3), plan.steps().stream().map(PlanStep::order).toList());
        assertEquals("CREATE SCHEMA IF NOT EXISTS \"shop\"", plan.steps().get(0).sql());
        assertTrue(plan.steps().get(1).sql().startsWith("CREATE TABLE IF NOT EXISTS \"shop\".\"orders\""));
    }

    @Test
    void alteringAnExistingTableNeedsABackupOfExactlyThatTable() {
        MigrationPlanned plan = MigrationPlanner.plan("p2", spec(List.of(
                createTable("refunds"), addColumn("customers", "email"), addColumn("refunds", "reason"))),
                Map.of("customers", 1200L));

        assertTrue(plan.requiresBackup());
        assertEquals(List.of("shop.customers"), plan.backupTables(), "a table this plan creates holds no data to back up");
        assertEquals("AWAITING_BACKUP", plan.status());
        assertEquals("MEDIUM", plan.risk());
        assertEquals(1200L, plan.estimatedRows());
        assertTrue(plan.steps().stream().anyMatch(s -> s.sql().contains("ADD COLUMN IF NOT EXISTS \"email\"")));
    }

    @Test
    void eachTablesChangesAreContiguousColumnsBeforeIndexesBeforeDrops() {
        MigrationPlanned plan = MigrationPlanner.plan("p3", spec(List.of(
                change("CREATE_INDEX", "a", null, "LOCKING", "SHARE", "IN_PLACE", "CREATE INDEX \"a_x\" ON \"shop\".\"a\" (\"x\")"),
                addColumn("b", "y"),
                addColumn("a", "x"),
                change("DROP_NOT_NULL", "a", "z", "RELAXING", "ACCESS EXCLUSIVE", "IN_PLACE",
                        "ALTER TABLE \"shop\".\"a\" ALTER COLUMN \"z\" DROP NOT NULL"))), Map.of());

        assertEquals(List.of("a:ADD_COLUMN", "a:DROP_NOT_NULL", "a:CREATE_INDEX", "b:ADD_COLUMN"),
                plan.steps().stream().map(s -> s.table() + ":" + s.kind()).toList());
        assertEquals(List.of("shop.a", "shop.b"), plan.backupTables());
        assertEquals(2, ExecutionUnits.of(plan.steps()).size(), "one transaction per table");
    }

    static SchemaChange typeChange(String table, String column, String from, String to) {
        return change("ALTER_COLUMN_TYPE", table, column, "REWRITE", "ACCESS EXCLUSIVE", "SHADOW_TABLE",
                "target state: \"shop\".\"" + table + "\".\"" + column + "\" of type " + to + " (live: " + from + ")");
    }

    static SchemaChange setNotNull(String table, String column) {
        return change("SET_NOT_NULL", table, column, "DATA_DEPENDENT", "ACCESS EXCLUSIVE", "NEEDS_APPROVAL",
                "ALTER TABLE \"shop\".\"" + table + "\" ALTER COLUMN \"" + column + "\" SET NOT NULL");
    }

    @Test
    void rewritesOfOneTableConsolidateIntoOneShadowRebuild() {
        MigrationPlanner.Planned planned = MigrationPlanner.planWithRebuilds("p4", spec(List.of(
                typeChange("customers", "balance", "integer", "bigint"),
                setNotNull("customers", "email"),
                typeChange("customers", "email", "character varying(50)", "text"),
                typeChange("orders", "total", "numeric(10,2)", "numeric(12,2)"))), Map.of("customers", 5L, "orders", 7L));
        MigrationPlanned plan = planned.plan();

        assertEquals("SHADOW_TABLE", plan.strategy());
        assertEquals("AWAITING_BACKUP", plan.status());
        assertTrue(plan.requiresBackup());
        assertEquals(List.of("shop.customers", "shop.orders"), plan.backupTables());
        assertEquals("HIGH", plan.risk());
        assertEquals(List.of(), plan.pending());
        assertEquals(2, planned.rebuilds().size(), "one rebuild per table");
        ShadowRebuild customers = planned.rebuilds().get(0);
        assertEquals(List.of(new ShadowRebuild.ColumnChange("balance", "bigint", "integer", false),
                new ShadowRebuild.ColumnChange("email", "text", "character varying(50)", true)), customers.changes());
        assertEquals(List.of("customers:SHADOW_PREPARE", "customers:SHADOW_COPY", "customers:SHADOW_OPTIMIZE", "customers:SHADOW_CUTOVER",
                        "orders:SHADOW_PREPARE", "orders:SHADOW_COPY", "orders:SHADOW_OPTIMIZE", "orders:SHADOW_CUTOVER"),
                plan.steps().stream().map(s -> s.table() + ":" + s.kind()).toList());
        assertTrue(plan.steps().stream().allMatch(s -> s.path().equals("SHADOW_TABLE")));
        assertEquals(2, ExecutionUnits.of(plan.steps()).size(), "each table's shadow steps run as one unit");
        assertTrue(plan.steps().get(1).sql().contains("ALTER COLUMN \"balance\" TYPE bigint USING CAST(\"balance\" AS bigint)"),
                plan.steps().get(1).sql());
        EventSchemas.parse(EventCodec.write(EventCodec.create("/test", "p4", plan)), EventType.MIGRATION_PLANNED);
    }

    @Test
    void inPlaceAndShadowStepsMixAndStayInSeparateUnits() {
        MigrationPlanned plan = MigrationPlanner.plan("p5", spec(List.of(
                addColumn("customers", "fax"), typeChange("customers", "balance", "integer", "bigint"))), Map.of());
        assertEquals("MIXED", plan.strategy());
        assertEquals("AWAITING_BACKUP", plan.status());
        assertEquals("ADD_COLUMN", plan.steps().get(0).kind(), "in-place changes first: the shadow copies the new column");
        assertEquals(2, ExecutionUnits.of(plan.steps()).size());
    }

    @Test
    void destructiveChangesWaitForApprovalAndComeLast() {
        SchemaChange drop = change("DROP_COLUMN", "customers", "legacy", "DESTRUCTIVE", "ACCESS EXCLUSIVE",
                "NEEDS_APPROVAL", "ALTER TABLE \"shop\".\"customers\" DROP COLUMN \"legacy\"");
        SchemaChange dropTable = change("DROP_TABLE", "old", null, "DESTRUCTIVE", "ACCESS EXCLUSIVE",
                "NEEDS_APPROVAL", "DROP TABLE \"shop\".\"old\"");
        MigrationPlanned plan = MigrationPlanner.plan("p6", spec(List.of(drop, dropTable, addColumn("customers", "x"))), Map.of());
        assertEquals("AWAITING_APPROVAL", plan.status());
        assertEquals("IN_PLACE", plan.strategy());
        assertEquals(List.of("ADD_COLUMN", "DROP_COLUMN", "DROP_TABLE"), plan.steps().stream().map(PlanStep::kind).toList());
        assertEquals(List.of("IN_PLACE", "NEEDS_APPROVAL", "NEEDS_APPROVAL"), plan.steps().stream().map(PlanStep::path).toList());
        assertTrue(plan.steps().get(2).sql().contains("IF EXISTS"));
        assertEquals(List.of("shop.customers", "shop.old"), plan.backupTables(), "dropped data is backed up first");
    }

    @Test
    void aChangeThatNeedsAHumanButIsNotDestructiveStaysPending() {
        SchemaChange pk = change("ADD_COLUMN", "customers", "id", "DATA_DEPENDENT", "ACCESS EXCLUSIVE", "NEEDS_APPROVAL",
                "target state: ...");
        MigrationPlanned plan = MigrationPlanner.plan("p7", spec(List.of(pk)), Map.of());
        assertEquals("AWAITING_APPROVAL", plan.status());
        assertEquals(List.of(pk), plan.pending());
        assertEquals(List.of(), plan.steps());
    }

    @Test
    void aTypeChangeWithoutATargetTypeOrWithAnInjectedTypeIsRejected() {
        assertThrows(InvalidEventException.class, () -> MigrationPlanner.plan("p8", spec(List.of(
                change("ALTER_COLUMN_TYPE", "t", "c", "REWRITE", "ACCESS EXCLUSIVE", "SHADOW_TABLE", "something else"))), Map.of()));
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> MigrationPlanner.plan("p9", spec(List.of(
                typeChange("t", "c", "integer", "bigint); DROP TABLE x; --"))), Map.of()));
        assertTrue(e.getMessage().contains("not a type name"), e.getMessage());
        assertTrue(TypeNames.valid("timestamp(3) with time zone"));
        assertTrue(TypeNames.valid("character varying(255)[]"));
        assertTrue(TypeNames.valid("public.\"My Type\""));
    }

    @Test
    void anEmptyDiffHasNothingToDo() {
        MigrationPlanned plan = MigrationPlanner.plan("p6", spec(List.of()), Map.of());
        assertEquals("NOTHING_TO_DO", plan.status());
        assertEquals("NONE", plan.strategy());
        assertEquals("LOW", plan.risk());
    }

    @Test
    void bigAlteredTablesMakeTheRiskHigh() {
        MigrationPlanned plan = MigrationPlanner.plan("p10", spec(List.of(addColumn("events", "x"))),
                Map.of("events", MigrationPlanner.HIGH_RISK_ROWS));
        assertEquals("HIGH", plan.risk());
    }

    @Test
    void anInPlaceChangeWithoutSqlIsRejectedNamingIt() {
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> MigrationPlanner.plan("p11",
                spec(List.of(change("ADD_COLUMN", "customers", "x", "ADDITIVE", "ACCESS EXCLUSIVE", "IN_PLACE", " "))), Map.of()));
        assertTrue(e.getMessage().contains("customers"), e.getMessage());
    }

    @Test
    void aStripeSizedPlanIsQuickAndSchemaValid() {
        List<SchemaChange> changes = new ArrayList<>();
        changes.add(createSchema());
        for (int t = 0; t < 250; t++) {
            changes.add(createTable("table_" + t));
        }
        for (int t = 0; t < 250; t++) {
            for (int c = 0; c < 20; c++) {
                changes.add(addColumn("existing_" + t, "column_" + c));
            }
        }
        long start = System.nanoTime();
        MigrationPlanned plan = MigrationPlanner.plan("stripe", spec(changes), Map.of());
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(changes.size(), plan.steps().size());
        assertEquals(250, plan.backupTables().size());
        assertEquals(1 + 250 + 250, ExecutionUnits.of(plan.steps()).size());
        assertTrue(millis < 5_000, "planning took " + millis + " ms");
        EventSchemas.parse(EventCodec.write(EventCodec.create("/test", "stripe", plan)), EventType.MIGRATION_PLANNED);
    }
}
