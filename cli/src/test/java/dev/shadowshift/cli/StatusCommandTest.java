package dev.shadowshift.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code status} reads what a running {@code up} wrote, and says so when nothing runs (or what wrote it is gone). */
class StatusCommandTest {

    @TempDir
    Path home;

    @AfterEach
    void reset() {
        System.clearProperty("shadowshift.home");
    }

    private void upWrote(long pid) throws Exception {
        Files.createDirectories(home.resolve(".shadowshift"));
        Files.writeString(home.resolve(".shadowshift/up.env"), "SHADOWSHIFT_UP_PID=" + pid + "\n"
                + "KAFKA_BOOTSTRAP_SERVERS=localhost:40001\nSHADOWSHIFT_PG_URL=postgresql://postgres@localhost:40002\n"
                + "SHADOWSHIFT_SCHEMA_URL=http://localhost:8081\nSHADOWSHIFT_DASHBOARD_URL=http://localhost:8084/\n");
        System.setProperty("shadowshift.home", home.toString());
    }

    @Test
    void envFormatIsOneKeyValueALineWithoutThePid() throws Exception {
        upWrote(ProcessHandle.current().pid());
        CliRun r = CliRun.run(SchemaDiff::readSpec, "status", "--format=env");
        assertEquals(0, r.code(), r.toString());
        assertEquals("""
                KAFKA_BOOTSTRAP_SERVERS=localhost:40001
                SHADOWSHIFT_PG_URL=postgresql://postgres@localhost:40002
                SHADOWSHIFT_SCHEMA_URL=http://localhost:8081
                SHADOWSHIFT_DASHBOARD_URL=http://localhost:8084/
                """, r.out());
    }

    @Test
    void nothingRunningExits1WithAMessage() throws Exception {
        System.setProperty("shadowshift.home", home.toString());
        CliRun none = CliRun.run(SchemaDiff::readSpec, "status");
        assertEquals(1, none.code(), none.toString());
        assertTrue(none.err().contains("not running"), none.toString());
        upWrote(Long.MAX_VALUE - 1);
        CliRun stale = CliRun.run(SchemaDiff::readSpec, "status", "--format=env");
        assertEquals(1, stale.code(), stale.toString());
        assertEquals(2, CliRun.run(SchemaDiff::readSpec, "status", "--format=yaml").code());
    }
}
