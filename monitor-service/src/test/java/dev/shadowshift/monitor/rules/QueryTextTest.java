package dev.shadowshift.monitor.rules;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryTextTest {

    @Test
    void replacesStringAndNumberLiterals() {
        assertEquals("SELECT * FROM t1 WHERE name = ? AND age > ? AND score = ?",
                QueryText.redact("SELECT * FROM t1 WHERE name = 'O''Brien' AND age > 42 AND score = 1.5e3"));
    }

    @Test
    void handlesEscapeStringsDollarQuotesAndParameters() {
        assertEquals("SELECT ?, ?, $1, ?", QueryText.redact("SELECT E'it\\'s', $$secret$$, $1, $tag$x$tag$"));
    }

    @Test
    void keepsQuotedIdentifiersAndDropsComments() {
        assertEquals("SELECT \"Col 1\" FROM \"my\"\"table\" WHERE x = ?",
                QueryText.redact("SELECT \"Col 1\" -- the column\nFROM \"my\"\"table\" /* c */ WHERE x = 'v'"));
    }

    @Test
    void collapsesWhitespaceAndCapsTheLength() {
        assertEquals("SELECT pg_sleep(?)", QueryText.redact("SELECT\n\t  pg_sleep(60)"));
        String longQuery = "SELECT " + "a, ".repeat(500) + "b FROM t";
        String redacted = QueryText.redact(longQuery);
        assertEquals(QueryText.MAX_CHARS, redacted.length());
        assertTrue(redacted.endsWith("…"));
    }

    @Test
    void unterminatedLiteralDoesNotLeakItsRest() {
        assertEquals("SELECT ?", QueryText.redact("SELECT 'secret that was cut off by track_activity_query_size"));
        assertEquals("", QueryText.redact(null));
    }
}
