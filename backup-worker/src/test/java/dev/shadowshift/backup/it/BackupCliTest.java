package dev.shadowshift.backup.it;

import dev.shadowshift.cli.BackupCommand;
import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.TestTokens;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./shadowshift backup} against the real backup-worker (its broker, PostgreSQL and pg_dump/pg_restore, shared
 * with the worker's other tests): the verb alone, without the rest of the CLI, over the worker's HTTP port.
 */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class BackupCliTest {

    private static final Pattern ID = Pattern.compile("^backup ([0-9a-f-]{36}) RUNNING", Pattern.MULTILINE);

    @TestHTTPResource("/")
    URL worker;

    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Run backup(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url=" + worker;
        all[args.length + 1] = "--token-file=" + operatorToken();
        int code = BackupCommand.commandLine(o, e).execute(all);
        o.flush();
        e.flush();
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static java.nio.file.Path tokenFile;

    /** What an operator hands the CLI: a token of role operator in a file (never on the command line). */
    private static synchronized java.nio.file.Path operatorToken() {
        if (tokenFile == null) {
            try {
                tokenFile = java.nio.file.Files.createTempFile("shadowshift-operator-", ".jwt");
                java.nio.file.Files.writeString(tokenFile, TestTokens.token(Roles.OPERATOR));
                tokenFile.toFile().deleteOnExit();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return tokenFile;
    }

    @BeforeAll
    static void seed() throws Exception {
        WorkerUnderTest.sql("CREATE SCHEMA IF NOT EXISTS cli",
                "CREATE TABLE IF NOT EXISTS cli.customers (id int PRIMARY KEY, name text)",
                "INSERT INTO cli.customers SELECT g, 'c' || g FROM generate_series(1, 40) g ON CONFLICT DO NOTHING",
                // a restore creates its database: none of that name may exist
                "DROP DATABASE IF EXISTS restore_cli", "DROP DATABASE IF EXISTS restore_cli_corrupt");
    }

    private static String liveDatabase() throws Exception {
        try (Connection c = WorkerUnderTest.target(null)) {
            return c.getCatalog();
        }
    }

    private static String id(Run r) {
        Matcher m = ID.matcher(r.out());
        assertTrue(m.find(), r.toString());
        return m.group(1);
    }

    @Test
    void createWaitsForTheVerifiedBackupThenListVerifyAndRestoreWork() throws Exception {
        Run created = backup("create", "--target=main", "--table=cli.customers", "--wait", "--poll=100ms");
        assertEquals(0, created.code(), created.toString());
        String id = id(created);
        assertTrue(created.out().contains("backup " + id + ": VERIFIED"), created.toString());
        assertTrue(created.out().matches("(?s).*cli\\.customers +40 +40\\n.*"), "rows at dump time and restored: " + created);
        assertTrue(created.err().contains("VERIFIED after"), "the progress ends with the outcome: " + created);

        Run list = backup("list", "--target=main");
        assertEquals(0, list.code(), list.toString());
        assertTrue(list.out().startsWith("ID "), list.toString());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(id) && l.contains("VERIFIED") && l.contains("MANUAL")
                && l.endsWith("cli.customers")), list.toString());

        Run verified = backup("verify", id);
        assertEquals(0, verified.code(), verified.toString());
        assertTrue(verified.out().matches("(?s).*cli\\.customers +40 +40\\n.*"), verified.toString());

        Run restored = backup("restore", id, "--into=restore_cli");
        assertEquals(0, restored.code(), restored.toString());
        assertTrue(restored.out().contains("restored backup " + id + " into database restore_cli: cli.customers"), restored.toString());
        try (Connection c = WorkerUnderTest.target("restore_cli"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM cli.customers")) {
            rs.next();
            assertEquals(40, rs.getLong(1));
        }

        Run live = backup("restore", id, "--into=" + liveDatabase());
        assertEquals(1, live.code(), "never into the live target database: " + live);
        assertTrue(live.err().contains("409"), live.toString());
    }

    @Test
    void aCorruptBackupFailsTheWaitAndIsNotRestoredAndAnUnknownIdIsNamed() {
        FaultyStorage.arm(FaultyStorage.Fault.FLIP_A_BYTE);
        Run created = backup("create", "--table=cli.customers", "--wait", "--poll=100ms");
        assertEquals(1, created.code(), created.toString());
        String id = id(created);
        assertTrue(created.out().contains("backup " + id + ": CORRUPT"), created.toString());

        Run restore = backup("restore", id, "--into=restore_cli_corrupt");
        assertEquals(1, restore.code(), restore.toString());
        assertTrue(restore.err().contains("409") && restore.err().contains("CORRUPT") && restore.err().contains("only VERIFIED"), restore.toString());

        Run missing = backup("verify", "00000000-0000-0000-0000-000000000000");
        assertEquals(1, missing.code(), missing.toString());
        assertTrue(missing.err().contains("no backup with id '00000000-0000-0000-0000-000000000000'"), missing.toString());

        Run badTable = backup("create", "--table=no schema here;");
        assertEquals(2, badTable.code(), "the worker refuses the name as invalid input: " + badTable);
    }
}
