package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.SchemaChange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CreateTableTest {

    private static SchemaChange table(String name, String... typesOfIdAndNote) {
        return new SchemaChange(ChangeKind.CREATE_TABLE, "shop", name, null, null, null, null, null, null, List.of(
                new SchemaChange.ColumnSpec("id", typesOfIdAndNote[0], false, true),
                new SchemaChange.ColumnSpec("note", typesOfIdAndNote[1], true, false)), null, null, null, null);
    }

    @Test
    void rendersItsColumnsAndANamedPrimaryKey() throws Exception {
        Operation op = Operation.of(Operations.canonical(table("orders", "text", "text"), Fixtures.shop()));
        assertTrue(op.validate(Fixtures.shop()).path() == dev.shadowshift.contracts.changes.ChangePath.IN_PLACE);
        assertEquals("""
                CREATE TABLE IF NOT EXISTS "shop"."orders" (
                  "id" text NOT NULL,
                  "note" text,
                  CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
                )""", op.statements().get(0));
    }

    @Test
    void anUnknownTypeAndAMissingSchemaAreRefused() {
        assertThrows(OperationRefused.TypeUnknown.class, () -> Operations.canonical(table("orders", "text", "sometype"), Fixtures.shop()));
        assertThrows(OperationRefused.SchemaMissing.class, () -> Operation.of(table("orders", "text", "text")).validate(Fixtures.empty()));
    }

    @Test
    void anExistingTableWithOtherColumnsIsRefusedAndOneWithTheSameIsNothingToDo() throws Exception {
        var refused = assertThrows(OperationRefused.TableExists.class,
                () -> Operation.of(table("customers", "bigint", "text")).validate(Fixtures.shop()));
        assertTrue(refused.getMessage().contains("'id' is text, not bigint"), refused.getMessage());
        SchemaChange same = new SchemaChange(ChangeKind.CREATE_TABLE, "shop", "customers", null, null, null, null, null, null,
                List.of(new SchemaChange.ColumnSpec("id", "text", false, true)), null, null, null, null);
        assertTrue(Operation.of(same).validate(Fixtures.shop()).noOp());
    }
}
