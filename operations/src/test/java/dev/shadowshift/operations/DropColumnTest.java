package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropColumnTest {

    @Test
    void isDestructiveAndWaitsForApproval() throws Exception {
        Decision d = Operation.of(Fixtures.change(ChangeKind.DROP_COLUMN, "customers", "balance", null)).validate(Fixtures.shop());
        assertEquals(Classification.DESTRUCTIVE, d.classification());
        assertTrue(d.needsApproval());
        assertEquals(ChangePath.NEEDS_APPROVAL, d.label());
        assertThrows(OperationRefused.PrimaryKeyColumn.class,
                () -> Operation.of(Fixtures.change(ChangeKind.DROP_COLUMN, "customers", "id", null)).validate(Fixtures.shop()));
    }
}
