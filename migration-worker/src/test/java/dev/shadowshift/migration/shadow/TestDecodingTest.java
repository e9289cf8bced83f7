package dev.shadowshift.migration.shadow;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The key out of test_decoding's lines, as PostgreSQL 15 prints them. */
class TestDecodingTest {

    private static final String PREFIX = "table app.payments: ";

    @Test
    void anInsertHasOnlyANewKeyAndADeleteOnlyAnOldOne() {
        TestDecoding.Change insert = TestDecoding.parse("table app.payments: INSERT: id[bigint]:5 amount[bigint]:10 memo[text]:'a b'",
                PREFIX, List.of("id"));
        assertEquals(new TestDecoding.Change(TestDecoding.Kind.INSERT, null, List.of("5")), insert);
        TestDecoding.Change delete = TestDecoding.parse("table app.payments: DELETE: id[bigint]:7", PREFIX, List.of("id"));
        assertEquals(new TestDecoding.Change(TestDecoding.Kind.DELETE, List.of("7"), null), delete);
    }

    @Test
    void anUpdateThatMovesTheKeyCarriesBothAndOneThatKeepsItTheNewOnly() {
        TestDecoding.Change moved = TestDecoding.parse("table app.payments: UPDATE: old-key: id[bigint]:5 new-tuple: id[bigint]:-5 "
                + "amount[bigint]:null memo[text]:unchanged-toast-datum", PREFIX, List.of("id"));
        assertEquals(new TestDecoding.Change(TestDecoding.Kind.UPDATE, List.of("5"), List.of("-5")), moved);
        TestDecoding.Change kept = TestDecoding.parse("table app.payments: UPDATE: id[bigint]:9 amount[bigint]:1", PREFIX, List.of("id"));
        assertEquals(new TestDecoding.Change(TestDecoding.Kind.UPDATE, List.of("9"), List.of("9")), kept);
    }

    @Test
    void quotedNamesQuotedValuesAndArrayTypesAreRead() {
        TestDecoding.Change c = TestDecoding.parse("table app.payments: INSERT: \"Tenant \"\"A\"\"\"[text]:'it''s' tags[integer[]]:'{1,2}' "
                + "id[uuid]:'0e5c0b3e-0000-4000-8000-000000000001'", PREFIX, List.of("Tenant \"A\"", "id"));
        assertEquals(List.of("it's", "0e5c0b3e-0000-4000-8000-000000000001"), c.newKey());
    }

    @Test
    void otherTablesTransactionsAndMessagesAreNotChangesOfTheTable() {
        assertNull(TestDecoding.parse("table app.payments_ref: INSERT: id[bigint]:5", PREFIX, List.of("id")));
        assertNull(TestDecoding.parse("BEGIN", PREFIX, List.of("id")));
        assertNull(TestDecoding.parse("COMMIT", PREFIX, List.of("id")));
        assertEquals(TestDecoding.Kind.TRUNCATE, TestDecoding.parse("table app.payments: TRUNCATE: (no-flags)", PREFIX, List.of("id")).kind());
    }

    @Test
    void aDeleteWithoutItsKeyIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> TestDecoding.parse("table app.payments: DELETE: (no-tuple-data)", PREFIX, List.of("id")));
    }
}
