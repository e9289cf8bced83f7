package dev.shadowshift.pg.cli;

import org.junit.jupiter.api.Test;

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
}
