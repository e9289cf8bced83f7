package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.Classification;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DropNotNullTest {

    @Test
    void isRelaxingAndNeverTouchesTheKey() throws Exception {
        Operation op = Operation.of(Fixtures.change(ChangeKind.DROP_NOT_NULL, "customers", "email", null));
        assertEquals(Classification.RELAXING, op.validate(Fixtures.shop()).classification());
        assertEquals("ALTER TABLE \"shop\".\"customers\" ALTER COLUMN \"email\" DROP NOT NULL", op.statements().get(0));
        assertThrows(OperationRefused.PrimaryKeyColumn.class,
                () -> Operation.of(Fixtures.change(ChangeKind.DROP_NOT_NULL, "customers", "id", null)).validate(Fixtures.shop()));
    }
}
