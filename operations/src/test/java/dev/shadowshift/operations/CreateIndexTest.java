package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.LockLevel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CreateIndexTest {

    @Test
    void buildsConcurrentlyOutsideATransaction() throws Exception {
        Operation op = Operation.of(Fixtures.index(ChangeKind.CREATE_INDEX, "idx_customers_balance", false, false, "balance"));
        Decision d = op.validate(Fixtures.shop());
        assertEquals(LockLevel.SHARE_UPDATE_EXCLUSIVE, d.lockLevel());
        assertTrue(op.outsideTransaction());
        assertEquals("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"idx_customers_balance\" ON \"shop\".\"customers\" USING btree (\"balance\")",
                op.statements().get(0));
        assertEquals("DROP INDEX CONCURRENTLY IF EXISTS \"shop\".\"idx_customers_balance\"", op.rollbackStatements().get(0));
    }

    @Test
    void aPrimaryKeyOnALiveTableWaitsForApprovalAndASecondOneIsRefused() throws Exception {
        assertThrows(OperationRefused.IndexExists.class,
                () -> Operation.of(Fixtures.index(ChangeKind.CREATE_INDEX, "customers_pk2", true, true, "email")).validate(Fixtures.shop()));
        Catalog noKey = Fixtures.shop();
        Operation drop = Operation.of(Fixtures.change(ChangeKind.DROP_COLUMN, "customers", "balance", null));
        drop.applyTo(noKey);
        Operation onBalance = Operation.of(Fixtures.index(ChangeKind.CREATE_INDEX, "x", false, false, "balance"));
        assertThrows(OperationRefused.ColumnMissing.class, () -> onBalance.validate(noKey), "the column was dropped earlier in the plan");
    }

    @Test
    void anExistingIndexIsNothingToDoAndANameTakenByAnotherIsRefused() throws Exception {
        assertTrue(Operation.of(Fixtures.index(ChangeKind.CREATE_INDEX, "idx_customers_email", false, false, "email"))
                .validate(Fixtures.shop()).noOp());
        var e = assertThrows(OperationRefused.IndexExists.class, () -> Operation.of(
                Fixtures.index(ChangeKind.CREATE_INDEX, "idx_broken", false, false, "email")).validate(Fixtures.shop()));
        assertTrue(e.getMessage().contains("INVALID"), e.getMessage());
        assertFalse(Operation.of(Fixtures.index(ChangeKind.CREATE_INDEX, "u", true, false, "email")).validate(Fixtures.shop()).needsApproval());
    }
}
