package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SetNotNullTest {

    @Test
    void onALiveTableItTakesTheShadowPath() throws Exception {
        Operation op = Operation.of(Fixtures.change(ChangeKind.SET_NOT_NULL, "customers", "balance", null));
        assertEquals(ChangePath.SHADOW_TABLE, op.validate(Fixtures.shop()).path());
        assertTrue(Operation.of(Fixtures.change(ChangeKind.SET_NOT_NULL, "customers", "email", null)).validate(Fixtures.shop()).noOp());
    }
}
