package dev.shadowshift.migration.plan;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdempotentSqlTest {

    @Test
    void addsIfNotExistsToCreatingStatements() {
        assertEquals("CREATE SCHEMA IF NOT EXISTS \"s\"", IdempotentSql.of("CREATE_SCHEMA", "CREATE SCHEMA \"s\""));
        assertEquals("create table IF NOT EXISTS \"s\".\"t\" (id int)", IdempotentSql.of("CREATE_TABLE", "create table \"s\".\"t\" (id int)"));
        assertEquals("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"i\" ON \"s\".\"t\" (x)",
                IdempotentSql.of("CREATE_INDEX", "CREATE UNIQUE INDEX CONCURRENTLY \"i\" ON \"s\".\"t\" (x)"));
        assertEquals("ALTER TABLE \"s\".\"my table\" ADD COLUMN IF NOT EXISTS \"c\" text DEFAULT 'ADD COLUMN x'",
                IdempotentSql.of("ADD_COLUMN", "ALTER TABLE \"s\".\"my table\" ADD COLUMN \"c\" text DEFAULT 'ADD COLUMN x'"));
        assertEquals("ALTER TABLE s.t DROP COLUMN IF EXISTS c", IdempotentSql.of("DROP_COLUMN", "ALTER TABLE s.t DROP COLUMN c"));
    }

    @Test
    void leavesStatementsThatAreAlreadySafeOrCannotTakeTheClause() {
        String already = "CREATE TABLE IF NOT EXISTS \"s\".\"t\" (id int)";
        assertEquals(already, IdempotentSql.of("CREATE_TABLE", already));
        assertEquals("CREATE INDEX ON t (x)", IdempotentSql.of("CREATE_INDEX", "CREATE INDEX ON t (x)"));
        String setNotNull = "ALTER TABLE t ALTER COLUMN c SET NOT NULL";
        assertEquals(setNotNull, IdempotentSql.of("SET_NOT_NULL", setNotNull));
    }

    @Test
    void concurrentlyStatementsRunOutsideATransaction() {
        assertTrue(IdempotentSql.needsOwnTransaction("CREATE INDEX CONCURRENTLY i ON t (x)"));
        assertTrue(IdempotentSql.needsOwnTransaction("drop index concurrently i"));
        assertFalse(IdempotentSql.needsOwnTransaction("CREATE INDEX i ON t (x)"));
        assertFalse(IdempotentSql.needsOwnTransaction("CREATE TABLE \"CONCURRENTLY\" (x int)"));
    }
}
