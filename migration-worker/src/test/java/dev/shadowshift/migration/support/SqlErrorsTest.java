package dev.shadowshift.migration.support;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqlErrorsTest {

    @Test
    void connectionConcurrencyAndServerAvailabilityFailuresAreTransient() {
        for (String state : new String[] {"08000", "08001", "08006", "08P01", "40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300"}) {
            assertTrue(SqlErrors.isTransient(new SQLException("x", state)), state);
        }
    }

    @Test
    void statementAndDataFailuresAreNot() {
        for (String state : new String[] {"23505", "23503", "22P02", "22003", "42883", "42P01", "42601", "0A000", "XX000", "53100", "57014"}) {
            assertFalse(SqlErrors.isTransient(new SQLException("x", state)), state);
        }
        assertFalse(SqlErrors.isTransient(new IllegalStateException("no SQLSTATE")));
    }

    @Test
    void theStateIsFoundAlongTheCauseChain() {
        Exception wrapped = new IllegalStateException("outer", new SQLException("deadlock detected", "40P01"));
        assertEquals("40P01", SqlErrors.sqlState(wrapped));
        assertTrue(SqlErrors.isTransient(wrapped));
    }

    @Test
    void theDescriptionIsOneLineWithTheState() {
        String d = SqlErrors.describe(new SQLException("ERROR: could not create unique index \"t_n\"\n  Detail: Key (n)=(1) is duplicated.", "23505"));
        assertEquals("ERROR: could not create unique index \"t_n\"; Detail: Key (n)=(1) is duplicated. [SQLSTATE 23505]", d);
    }

    @Test
    void theStatementKindKeepsKeywordsAndDropsNames() {
        assertEquals("CREATE UNIQUE INDEX CONCURRENTLY", SqlErrors.statementKind(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"t_ss_new_n\" ON \"load\".\"t_ss_new\" USING btree (n)"));
        assertEquals("CREATE VIEW", SqlErrors.statementKind("CREATE VIEW \"load\".\"v\" AS SELECT id, n + 1 FROM load.t"));
        assertEquals("ALTER TABLE VALIDATE CONSTRAINT", SqlErrors.statementKind("ALTER TABLE \"load\".\"c\" VALIDATE CONSTRAINT \"fk\""));
        assertEquals("GRANT SELECT", SqlErrors.statementKind("GRANT SELECT ON \"load\".\"t\" TO \"reader\""));
        assertEquals("statement", SqlErrors.statementKind(null));
    }

    @Test
    void theRetryBudgetEndsOnAttemptsOrElapsedTime() {
        RetryBudget budget = new RetryBudget(3, Duration.ofMinutes(1), Duration.ofMillis(100), Duration.ofSeconds(1));
        assertTrue(budget.next(1, Duration.ZERO).orElseThrow().toMillis() <= 100);
        assertTrue(budget.next(2, Duration.ofSeconds(1)).orElseThrow().toMillis() <= 200);
        assertTrue(budget.next(3, Duration.ofSeconds(1)).isEmpty(), "three runs in all");
        assertTrue(budget.next(1, Duration.ofMinutes(2)).isEmpty(), "past the elapsed limit");
    }
}
