package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CreateSchemaTest {

    @Test
    void aNewSchemaIsAdditiveAndAnExistingOneIsNothingToDo() throws Exception {
        Operation op = Operation.of(Fixtures.change(ChangeKind.CREATE_SCHEMA, null, null, null));
        Decision fresh = op.validate(Fixtures.empty());
        assertFalse(fresh.noOp());
        assertEquals(List.of("CREATE SCHEMA IF NOT EXISTS \"shop\""), op.statements());
        assertTrue(op.validate(Fixtures.shop()).noOp());
    }

    @Test
    void anotherSchemaThanThePlansIsRefused() {
        var other = new dev.shadowshift.contracts.changes.SchemaChange(ChangeKind.CREATE_SCHEMA, "pg_catalog", null, null, null,
                null, null, null, null, null, null, null, null, null);
        assertThrows(OperationRefused.SchemaMismatch.class, () -> Operation.of(other).validate(Fixtures.shop()));
    }
}
