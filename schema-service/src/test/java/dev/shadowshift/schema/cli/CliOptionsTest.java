package dev.shadowshift.schema.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliOptionsTest {

    @Test
    void optionsAreChecked() {
        CliOptions o = CliOptions.parse(new String[]{"migrate", "--spec", "a.json", "--existing-db=postgresql://h/db",
                "--objects=customer, charge", "--with-indexes", "--lock-timeout=500ms", "--retries=2"}, Map.of());
        assertEquals(java.util.List.of("customer", "charge"), o.objects());
        assertTrue(o.withIndexes());
        assertFalse(o.strictNames());
        assertTrue(CliOptions.parse(new String[]{"diff-schema", "--spec=a", "--existing-db=x", "--strict-names"}, Map.of()).strictNames());
        assertEquals(500, o.lockTimeout().toMillis());
        assertEquals(2, o.retries());
        assertEquals("postgresql://h/db", CliOptions.parse(new String[]{"diff-schema", "--spec=a"}, Map.of("DATABASE_URL", "postgresql://h/db")).existingDb());
        for (String[] bad : new String[][]{{"explode"}, {"diff-schema", "--spec=a", "--existing-db=x", "--format=xml"},
                {"diff-schema", "--existing-db=x"}, {"diff-schema", "--spec=a"}, {"diff-schema", "--spec=a", "--existing-db=x", "--bogus=1"},
                {"migrate", "--spec=a", "--existing-db=x", "--lock-timeout=soon"}, {"diff-schema", "--spec=a", "--spec=b", "--existing-db=x"}}) {
            CliException e = assertThrows(CliException.class, () -> CliOptions.parse(bad, Map.of()), String.join(" ", bad));
            assertFalse(e.getMessage().isBlank());
        }
    }
}
