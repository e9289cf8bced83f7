package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddColumnTest {

    private static SchemaChange add(String column, String type, Boolean nullable, SchemaChange.TypedLiteral def) {
        return new SchemaChange(ChangeKind.ADD_COLUMN, "shop", "customers", column, null, type, nullable, def, null, null,
                null, null, null, null);
    }

    @Test
    void aNullableColumnIsAdditiveUnderABriefAccessExclusiveLock() throws Exception {
        Operation op = Operation.of(add("phone", "text", null, null));
        Decision d = op.validate(Fixtures.shop());
        assertEquals(LockLevel.ACCESS_EXCLUSIVE, d.lockLevel());
        assertFalse(d.needsApproval());
        assertEquals(List.of("ALTER TABLE \"shop\".\"customers\" ADD COLUMN IF NOT EXISTS \"phone\" text"), op.statements());
        assertEquals(List.of("ALTER TABLE \"shop\".\"customers\" DROP COLUMN IF EXISTS \"phone\""), op.rollbackStatements());
    }

    @Test
    void aTypedDefaultIsRenderedAsALiteralOfItsType() throws Exception {
        SchemaChange c = Operations.canonical(add("visits", "int8", false, new SchemaChange.TypedLiteral("bigint", "0")), Fixtures.shop());
        Operation op = Operation.of(c);
        assertFalse(op.validate(Fixtures.shop()).noOp());
        assertEquals(List.of("ALTER TABLE \"shop\".\"customers\" ADD COLUMN IF NOT EXISTS \"visits\" bigint NOT NULL DEFAULT '0'::bigint"),
                op.statements());
    }

    @Test
    void aDefaultTheServerCouldNotCastOrOfAnotherTypeIsRefused() {
        assertThrows(OperationRefused.DefaultInvalid.class, () -> Operation.of(
                add("visits", "bigint", true, new SchemaChange.TypedLiteral("bigint", "0); DROP TABLE x; --"))).validate(Fixtures.shop()));
        assertThrows(OperationRefused.DefaultInvalid.class, () -> Operation.of(
                add("visits", "bigint", true, new SchemaChange.TypedLiteral("text", "0"))).validate(Fixtures.shop()));
    }

    @Test
    void aNotNullColumnWithoutDefaultOnALiveTableIsRefused() {
        var e = assertThrows(OperationRefused.NotNullWithoutDefault.class,
                () -> Operation.of(add("code", "text", false, null)).validate(Fixtures.shop()));
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
    }

    @Test
    void anExistingColumnIsNothingToDoWithItsTypeAndRefusedWithAnother() throws Exception {
        assertTrue(Operation.of(add("email", "text", null, null)).validate(Fixtures.shop()).noOp());
        assertThrows(OperationRefused.ColumnExists.class, () -> Operation.of(add("email", "bigint", null, null)).validate(Fixtures.shop()));
        assertThrows(OperationRefused.TableMissing.class, () -> Operation.of(new SchemaChange(ChangeKind.ADD_COLUMN, "shop", "nope",
                "x", null, "text", null, null, null, null, null, null, null, null)).validate(Fixtures.shop()));
    }
}
