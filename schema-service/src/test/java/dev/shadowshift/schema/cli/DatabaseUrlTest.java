package dev.shadowshift.schema.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseUrlTest {

    @Test
    void jdbcUrlWithCredentialsInTheQuery() {
        DatabaseUrl u = DatabaseUrl.parse("jdbc:postgresql://db.example:6543/shop?user=app&password=s%3Dcret&sslmode=require");
        assertEquals("jdbc:postgresql://db.example:6543/shop?sslmode=require", u.jdbcUrl());
        assertEquals("app", u.user());
        assertEquals("s=cret", u.password());
        assertEquals("app@db.example:6543/shop", u.toString());
        assertEquals("s=cret", u.properties().getProperty("password"));
    }

    @Test
    void libpqUrlWithUserInfo() {
        DatabaseUrl u = DatabaseUrl.parse("postgresql://app:p%40ss@localhost/shop");
        assertEquals("jdbc:postgresql://localhost:5432/shop", u.jdbcUrl());
        assertEquals("app", u.user());
        assertEquals("p@ss", u.password());
        assertEquals("app@localhost:5432/shop", DatabaseUrl.parse("postgres://app:p%40ss@localhost/shop").toString());
    }

    @Test
    void badUrlsNameTheProblemWithoutEchoingThePassword() {
        for (String bad : new String[]{"mysql://u:hunter2@h/db", "hunter2", "postgresql://u:hunter2@/db", "jdbc:postgresql://u:hunter2@h/d b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(bad), bad);
            assertTrue(e.getMessage().contains("--existing-db"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
    }

    @Test
    void optionsAreChecked() {
        CliOptions o = CliOptions.parse(new String[]{"migrate", "--spec", "a.json", "--existing-db=postgresql://h/db",
                "--objects=customer, charge", "--with-indexes", "--lock-timeout=500ms", "--retries=2"}, Map.of());
        assertEquals(java.util.List.of("customer", "charge"), o.objects());
        assertTrue(o.withIndexes());
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
