package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropTableTest {

    @Test
    void isDestructiveWaitsForApprovalAndRestrictsToTheTable() throws Exception {
        Operation op = Operation.of(Fixtures.change(ChangeKind.DROP_TABLE, "customers", null, null));
        assertTrue(op.validate(Fixtures.shop()).needsApproval());
        assertEquals(List.of("DROP TABLE IF EXISTS \"shop\".\"customers\""), op.statements());
        assertTrue(Operation.of(Fixtures.change(ChangeKind.DROP_TABLE, "gone", null, null)).validate(Fixtures.shop()).noOp());
    }
}
