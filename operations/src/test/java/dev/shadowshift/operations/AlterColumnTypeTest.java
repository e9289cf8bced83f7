package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlterColumnTypeTest {

    @Test
    void aWideningGoesThroughTheShadowTableWithoutApproval() throws Exception {
        Decision d = Operation.of(Fixtures.change(ChangeKind.ALTER_COLUMN_TYPE, "customers", "balance", "bigint")).validate(Fixtures.shop());
        assertEquals(ChangePath.SHADOW_TABLE, d.path());
        assertEquals(Classification.REWRITE, d.classification());
        assertFalse(d.needsApproval());
    }

    @Test
    void aNarrowingWaitsForApprovalWhateverTheEventSays() throws Exception {
        Decision d = Operation.of(Fixtures.change(ChangeKind.ALTER_COLUMN_TYPE, "customers", "email", "bigint")).validate(Fixtures.shop());
        assertEquals(ChangePath.SHADOW_TABLE, d.path());
        assertTrue(d.needsApproval());
        assertTrue(d.hazards().contains(Classification.DATA_DEPENDENT), d.toString());
    }

    @Test
    void theSameTypeIsNothingToDoAndAnUnknownColumnIsRefused() throws Exception {
        assertTrue(Operation.of(Fixtures.change(ChangeKind.ALTER_COLUMN_TYPE, "customers", "email", "text")).validate(Fixtures.shop()).noOp());
        assertThrows(OperationRefused.ColumnMissing.class,
                () -> Operation.of(Fixtures.change(ChangeKind.ALTER_COLUMN_TYPE, "customers", "nope", "text")).validate(Fixtures.shop()));
    }

    @Test
    void rendersTheCastItsShadowCopyUsesToo() {
        assertEquals("ALTER TABLE \"shop\".\"customers\" ALTER COLUMN \"balance\" TYPE bigint USING CAST(\"balance\" AS bigint)",
                Operation.of(Fixtures.change(ChangeKind.ALTER_COLUMN_TYPE, "customers", "balance", "bigint")).statements().get(0));
    }
}
