package dev.shadowshift.cli;

import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.PostgresServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./shadowshift migrate} against a real PostgreSQL, without Kafka, in one JVM: a type change through the shadow
 * table after a verified backup, a rerun that changes nothing, a drop held until --approve, help that changes nothing,
 * and bad input refused with nothing touched and no password echoed.
 */
class MigrateCliTest {

    private static final String ORDERS = """
            openapi: 3.0.3
            info: {title: Shop, version: "1"}
            paths: {}
            components:
              schemas:
                order:
                  type: object
                  properties:
                    id: {type: string}
                    amount: {type: %s}
            %s
            """;

    @TempDir
    Path dir;

    private PostgresServer pg;
    private String database;

    @BeforeEach
    void freshDatabase() throws SQLException {
        Infrastructure infra = Infrastructure.shared();
        pg = infra.postgres();
        database = infra.freshDatabase("cli");
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA shop");
            s.execute("CREATE TABLE shop.orders (id text PRIMARY KEY, amount bigint, note text)");
            s.execute("INSERT INTO shop.orders SELECT 'or_' || g, g, 'n' || g FROM generate_series(1, 3000) g");
            s.execute("ANALYZE shop.orders");
        }
    }

    private Path spec(String amountType, boolean withNote) throws Exception {
        Path file = dir.resolve("shop-" + amountType + withNote + ".yaml");
        Files.writeString(file, ORDERS.formatted(amountType, withNote ? "        note: {type: string}" : ""));
        return file;
    }

    @Test
    void aTypeChangeGoesThroughTheShadowTableAfterAVerifiedBackupAndARerunChangesNothing() throws Exception {
        Path spec = spec("number", true);
        CliRun run = migrate("--spec=" + spec, "--backup-dir=" + dir.resolve("backups"));
        assertEquals(0, run.code(), run.toString());
        assertTrue(run.err().contains("backup verified"), run.err());
        assertTrue(run.err().contains("rows backfilled"), "a progress bar over the backfilled rows: " + run.err());
        assertTrue(run.err().contains("now serves from the rebuilt table"), run.err());
        assertTrue(run.out().contains("completed"), run.out());
        try (var files = Files.list(dir.resolve("backups"))) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".dump")).count(), "one verified archive, nothing partial");
        }
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), sum(amount), pg_typeof(min(amount))::text, "
                     + "(SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_ss\\_capture%') FROM shop.orders")) {
            rs.next();
            assertEquals(3000, rs.getLong(1));
            assertEquals(3000L * 3001 / 2, rs.getLong(2));
            assertEquals("numeric", rs.getString(3));
            assertEquals(0, rs.getInt(4), "no capture trigger left on the table");
        }
        CliRun again = migrate("--spec=" + spec, "--backup-dir=" + dir.resolve("backups"));
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().contains("nothing to do"), again.toString());
    }

    @Test
    void aDropWaitsForApprovalThenAppliesAfterTheBackup() throws Exception {
        Path spec = spec("integer", false);
        CliRun held = migrate("--spec=" + spec, "--backup-dir=" + dir.resolve("backups"));
        assertEquals(3, held.code(), held.toString());
        assertTrue(held.out().contains("DROP_COLUMN ") && held.out().contains(".orders.note (ACCESS EXCLUSIVE, DESTRUCTIVE): ALTER TABLE ")
                && held.out().contains(" DROP COLUMN IF EXISTS \"note\""), "the typed step and its SQL rendered locally: " + held.out());
        assertTrue(hasColumn("note"), "nothing changed without approval");

        CliRun approved = migrate("--spec=" + spec, "--backup-dir=" + dir.resolve("backups"), "--approve");
        assertEquals(0, approved.code(), approved.toString());
        assertFalse(hasColumn("note"));
    }

    @Test
    void helpPrintsUsageAndChangesNothingAndBadInputIsRefusedWithNothingTouched() throws Exception {
        for (String verb : List.of("migrate", "diff-schema", "generate-evolution", "status", "up")) {
            CliRun help = CliRun.run(SchemaDiff::readSpec, verb, "--help");
            assertEquals(0, help.code(), verb + ": " + help);
            assertTrue(help.out().contains("Usage: shadowshift " + verb), verb + ": " + help);
        }
        CliRun root = CliRun.run(SchemaDiff::readSpec, "--help");
        assertEquals(0, root.code(), root.toString());
        for (String verb : List.of("up", "status", "diff-schema", "generate-evolution", "migrate")) {
            assertTrue(root.out().contains(verb), verb + " in " + root.out());
        }
        String url = "--existing-db=" + pg.jdbcUrl(database) + "?user=" + pg.user() + "&password=hunter2secret";
        List<String[]> cases = List.of(
                new String[]{"migrate", url},
                new String[]{"migrate", url, "--spec=" + dir.resolve("missing.yaml")},
                new String[]{"migrate", url, "--spec=" + spec("number", true), "--lock-timeout=soon"},
                new String[]{"migrate", url, "--spec=" + spec("number", true), "--bogus"},
                new String[]{"migrate", "--spec=" + spec("number", true), "--existing-db=mysql://x:hunter2secret@y/z"});
        for (String[] args : cases) {
            CliRun run = CliRun.run(SchemaDiff::readSpec, args);
            assertEquals(2, run.code(), String.join(" ", args) + ": " + run);
            assertFalse(run.toString().contains("hunter2secret"), "the password is never echoed: " + run);
        }
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = 'shadowshift'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "no state schema made for help or refused input");
        }
        assertEquals("bigint", typeOfAmount());
    }

    private String typeOfAmount() throws SQLException {
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'shop.orders'::regclass AND attname = 'amount'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private boolean hasColumn(String column) throws SQLException {
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'shop' "
                     + "AND table_name = 'orders' AND column_name = '" + column + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    private CliRun migrate(String... args) {
        List<String> all = new ArrayList<>(List.of("migrate", "--schema=shop"));
        all.addAll(List.of(args));
        all.add("--existing-db=" + CliRun.url(pg, database));
        return CliRun.run(SchemaDiff::readSpec, all.toArray(String[]::new));
    }
}
