package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.SchemaChange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class OperationsTest {

    @Test
    void changesValidateAgainstTheSchemaTheChangesBeforeThemLeave() {
        List<SchemaChange> changes = List.of(
                new SchemaChange(ChangeKind.CREATE_SCHEMA, "shop", null, null, null, null, null, null, null, null, null, null, null, null),
                new SchemaChange(ChangeKind.CREATE_TABLE, "shop", "orders", null, null, null, null, null, null,
                        List.of(new SchemaChange.ColumnSpec("id", "text", false, true)), null, null, null, null),
                Fixtures.change(ChangeKind.ADD_COLUMN, "orders", "note", "text"),
                Fixtures.change(ChangeKind.ADD_COLUMN, "invoices", "note", "text"));
        Operations.Outcome outcome = Operations.validate(changes, Fixtures.empty());
        assertEquals(3, outcome.validated().size());
        assertEquals(1, outcome.refused().size());
        assertInstanceOf(OperationRefused.TableMissing.class, outcome.refused().get(0).reason());
    }
}
