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

    @Test
    void shadowAndApprovalChangesArePendingNotSteps() {
        SchemaChange rewrite = change("ALTER_COLUMN_TYPE", "customers", "balance", "REWRITE", "ACCESS EXCLUSIVE",
                "SHADOW_TABLE", null);
        SchemaChange drop = change("DROP_COLUMN", "customers", "legacy", "DESTRUCTIVE", "ACCESS EXCLUSIVE",
                "NEEDS_APPROVAL", "ALTER TABLE \"shop\".\"customers\" DROP COLUMN \"legacy\"");

        MigrationPlanned onlyPending = MigrationPlanner.plan("p4", spec(List.of(rewrite, drop)), Map.of("customers", 5L));
        assertEquals("AWAITING_APPROVAL", onlyPending.status());
        assertEquals("MIXED", onlyPending.strategy());
        assertEquals("HIGH", onlyPending.risk());
        assertEquals(List.of(), onlyPending.steps());
        assertEquals(List.of(rewrite, drop), onlyPending.pending());
        assertFalse(onlyPending.requiresBackup(), "nothing is executed, so nothing needs backing up yet");

        MigrationPlanned mixed = MigrationPlanner.plan("p5", spec(List.of(createTable("t"), rewrite)), Map.of());
        assertEquals("READY", mixed.status());
        assertEquals(1, mixed.steps().size());
        assertEquals(1, mixed.pending().size());
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
        MigrationPlanned plan = MigrationPlanner.plan("p7", spec(List.of(addColumn("events", "x"))),
                Map.of("events", MigrationPlanner.HIGH_RISK_ROWS));
        assertEquals("HIGH", plan.risk());
    }

    @Test
    void anInPlaceChangeWithoutSqlIsRejectedNamingIt() {
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> MigrationPlanner.plan("p8",
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
