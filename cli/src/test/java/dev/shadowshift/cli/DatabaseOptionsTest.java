package dev.shadowshift.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The database password reaches the CLI through the environment or a file, never its command line. */
class DatabaseOptionsTest {

    @Test
    void thePasswordComesFromAFileOrTheEnvironment(@TempDir Path dir) throws Exception {
        DatabaseOptions file = new DatabaseOptions();
        file.url = "postgresql://app@db:5432/shop";
        file.passwordFile = Files.writeString(dir.resolve("pw"), "from-file\n");
        assertEquals("from-file", file.resolve(Map.of("PGPASSWORD", "from-env")).password(), "the file wins over PGPASSWORD");
        assertFalse(file.resolve(Map.of()).toString().contains("from-file"), "never shown");

        DatabaseOptions env = new DatabaseOptions();
        env.url = "postgresql://app@db:5432/shop";
        assertEquals("from-env", env.resolve(Map.of("PGPASSWORD", "from-env")).password());
        DatabaseOptions url = new DatabaseOptions();
        assertEquals("in-env-url", url.resolve(Map.of("DATABASE_URL", "postgresql://app:in-env-url@db/shop")).password());
    }
}
