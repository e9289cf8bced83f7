package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropIndexTest {

    @Test
    void anInvalidIndexGoesInPlaceAValidOneWaitsForApprovalAndTheKeyNever() throws Exception {
        assertFalse(Operation.of(Fixtures.index(ChangeKind.DROP_INDEX, "idx_broken", false, false, "email"))
                .validate(Fixtures.shop()).needsApproval());
        assertTrue(Operation.of(Fixtures.index(ChangeKind.DROP_INDEX, "idx_customers_email", false, false, "email"))
                .validate(Fixtures.shop()).needsApproval());
        assertThrows(OperationRefused.IndexIsPrimaryKey.class, () -> Operation.of(
                Fixtures.index(ChangeKind.DROP_INDEX, "customers_pkey", true, true, "id")).validate(Fixtures.shop()));
        assertTrue(Operation.of(Fixtures.index(ChangeKind.DROP_INDEX, "gone", false, false, "x")).validate(Fixtures.shop()).noOp());
    }
}
