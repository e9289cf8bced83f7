package dev.shadowshift.backup.flow;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestoreGuardTest {

    final RestoreGuard guard = new RestoreGuard(Pattern.compile("restore_.*"), Set.of("shop", "shadowshift_backup"));

    @Test
    void onlyNewDatabasesNamedByThePatternAndNeverTheProtectedOnes() {
        assertTrue(guard.refusal("restore_20261203").isEmpty());
        assertEquals(400, guard.refusal("x; DROP DATABASE y").orElseThrow().status());
        assertEquals(400, guard.refusal(null).orElseThrow().status());
        assertEquals(400, guard.refusal("scratch").orElseThrow().status());
        assertEquals(400, guard.refusal("my_restore_x").orElseThrow().status(), "the whole name must match");
        for (String never : new String[]{"postgres", "template0", "template1", "Template_custom", "shop", "SHADOWSHIFT_BACKUP"}) {
            assertEquals(409, guard.refusal(never).orElseThrow().status(), never);
        }
        RestoreGuard lax = new RestoreGuard(Pattern.compile(".*"), Set.of("shop"));
        assertEquals(409, lax.refusal("postgres").orElseThrow().status(), "no pattern opens postgres");
        assertEquals(409, lax.refusal("shop").orElseThrow().status(), "nor a target");
    }

    @Test
    void theStateDatabaseIsReadFromItsJdbcUrl() {
        assertEquals("shadowshift_backup", BackupFlow.databaseOf("jdbc:postgresql://db:5432/shadowshift_backup?sslmode=require"));
        assertEquals("state_x", BackupFlow.databaseOf("jdbc:postgresql://localhost/state_x"));
    }
}
