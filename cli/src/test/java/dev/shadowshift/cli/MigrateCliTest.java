package dev.shadowshift.migration.cli;

import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.events.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.PostgresServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./shadowshift migrate}'s engine half against a real PostgreSQL, without Kafka: a type change through the
 * shadow table with a verified backup first, destructive steps held for approval, a rerun that changes nothing,
 * and bad input refused with nothing touched.
 */
class MigrateCliTest {

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
            s.execute("CREATE TABLE shop.orders (id text PRIMARY KEY, amount integer, note text)");
            s.execute("INSERT INTO shop.orders SELECT 'or_' || g, g, 'n' || g FROM generate_series(1, 3000) g");
            s.execute("ANALYZE shop.orders");
        }
    }

    @Test
    void aTypeChangeGoesThroughTheShadowTableAfterAVerifiedBackupAndARerunChangesNothing() throws Exception {
        Path event = event(List.of(typeChange("orders", "amount", "integer", "bigint")));
        Run run = migrate("--event=" + event, "--backup-dir=" + dir.resolve("backups"));
        assertEquals(MigrateCli.OK, run.code, run.all());
        assertTrue(run.err.contains("backup verified"), run.err);
        assertTrue(run.err.contains("rows backfilled"), "a progress bar over the backfilled rows: " + run.err);
        assertTrue(run.err.contains("now serves from the rebuilt table"), run.err);
        assertTrue(run.out.contains("completed"), run.out);
        try (var files = Files.list(dir.resolve("backups"))) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".dump")).count(), "one verified archive, nothing partial");
        }
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), sum(amount), pg_typeof(min(amount))::text, "
                     + "(SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_ss\\_capture%') "
                     + "FROM shop.orders")) {
            rs.next();
            assertEquals(3000, rs.getLong(1));
            assertEquals(3000L * 3001 / 2, rs.getLong(2));
            assertEquals("bigint", rs.getString(3));
            assertEquals(0, rs.getInt(4), "no capture trigger left on the table");
        }

        Run again = migrate("--event=" + event, "--backup-dir=" + dir.resolve("backups"));
        assertEquals(MigrateCli.OK, again.code, again.all());
        assertTrue(again.out.contains("already completed"), again.all());
    }

    @Test
    void destructiveStepsWaitForApprovalThenApplyAfterTheBackup() throws Exception {
        Path event = event(List.of(new SchemaChange("DROP_COLUMN", "orders", "note", "DESTRUCTIVE", "ACCESS EXCLUSIVE",
                "NEEDS_APPROVAL", "ALTER TABLE \"shop\".\"orders\" DROP COLUMN \"note\"", null)));
        Run held = migrate("--event=" + event, "--backup-dir=" + dir.resolve("backups"));
        assertEquals(MigrateCli.NEEDS_APPROVAL, held.code, held.all());
        assertTrue(held.out.contains("DROP_COLUMN orders"), held.out);
        assertTrue(hasColumn("note"), "nothing changed without approval");

        Run approved = migrate("--event=" + event, "--backup-dir=" + dir.resolve("backups"), "--approve-destructive");
        assertEquals(MigrateCli.OK, approved.code, approved.all());
        assertFalse(hasColumn("note"));
    }

    @Test
    void badInputIsRefusedWithTheProblemNamedAndNothingTouched() throws Exception {
        Path garbage = dir.resolve("garbage.json");
        Files.writeString(garbage, "{\"specversion\": \"1.0\", \"type\": \"dev.shadowshift.spec.changed.v1\"");
        Path wrongType = dir.resolve("alert.json");
        Files.writeString(wrongType, Files.readString(event(List.of())).replace("dev.shadowshift.spec.changed.v1", "dev.shadowshift.alert.v1"));
        String url = "--existing-db=" + pg.jdbcUrl(database) + "?user=" + pg.user() + "&password=hunter2secret";
        List<String[]> cases = List.of(
                new String[]{url},
                new String[]{url, "--event=" + dir.resolve("missing.json")},
                new String[]{url, "--event=" + garbage},
                new String[]{url, "--event=" + wrongType},
                new String[]{url, "--event=" + garbage, "--lock-timeout=soon"},
                new String[]{url, "--event=" + garbage, "--bogus"},
                new String[]{"--event=" + garbage, "--existing-db=mysql://x/y"});
        for (String[] args : cases) {
            Run run = run(args);
            assertEquals(MigrateCli.INVALID_INPUT, run.code, String.join(" ", args) + ": " + run.all());
            assertTrue(run.err.startsWith("shadowshift: "), run.err);
            assertFalse(run.all().contains("hunter2secret"), "the password is never echoed: " + run.all());
        }
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = 'shadowshift'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "no state schema made for refused input");
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

    private Path event(List<SchemaChange> changes) throws Exception {
        SpecChanged spec = new SpecChanged("shop.yaml", 1, null, "b".repeat(64), "main", "shop", "NONE", changes);
        Path file = dir.resolve("event-" + UUID.randomUUID() + ".json");
        Files.writeString(file, EventCodec.write(EventCodec.create(UUID.nameUUIDFromBytes((database + changes).getBytes(StandardCharsets.UTF_8))
                .toString(), "/shadowshift/cli", "shop.yaml", spec)));
        return file;
    }

    private static SchemaChange typeChange(String table, String column, String from, String to) {
        return new SchemaChange("ALTER_COLUMN_TYPE", table, column, "REWRITE", "ACCESS EXCLUSIVE", "SHADOW_TABLE",
                "target state: \"shop\".\"" + table + "\".\"" + column + "\" of type " + to + " (live: " + from + ")", null);
    }

    private Run migrate(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--existing-db=" + pg.jdbcUrl(database) + "?user=" + pg.user() + (pg.password().isEmpty() ? "" : "&password=" + pg.password()));
        return run(all.toArray(String[]::new));
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new MigrateCli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(), false).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Run(int code, String out, String err) {
        String all() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
