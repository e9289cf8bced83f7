package dev.shadowshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.shadowshift.contracts.EventCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code backup}'s arguments, its tables, and what each refusal of the worker reads like. The answers come from a
 * local HTTP server that says what a backup-worker would; BackupCliTest runs the verbs against the real worker.
 */
class BackupCommandTest {

    @TempDir
    Path home;
    private HttpServer server;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String body = "[]";

    @BeforeEach
    void serve() throws Exception {
        System.setProperty("shadowshift.home", home.toString());
        BackupClient.env = Map.<String, String>of()::get;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " auth=" + auth + " body="
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] out = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        System.clearProperty("shadowshift.home");
        BackupClient.env = System::getenv;
    }

    private String url() {
        return "--url=http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static CliRun backup(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "backup";
        System.arraycopy(args, 0, all, 1, args.length);
        return CliRun.run(SchemaDiff::readSpec, all);
    }

    @Test
    void usageErrorsExit2AndHelpExits0() {
        assertEquals(2, backup().code());
        assertEquals(2, backup("frobnicate").code());
        CliRun noInto = backup("restore", "abc", url());
        assertEquals(2, noInto.code(), noInto.toString());
        assertTrue(noInto.err().contains("--into"), noInto.toString());
        assertEquals(2, backup("verify", url()).code(), "the id is required");
        assertEquals(2, backup("list", "--url=ftp://nowhere").code(), "not an http URL");
        CliRun help = backup("create", "--help");
        assertEquals(0, help.code(), help.toString());
        assertTrue(help.out().contains("--wait") && help.out().contains("--table"), help.out());
        assertTrue(seen.isEmpty(), "nothing was asked of the worker: " + seen);
    }

    @Test
    void createSendsTheTargetAndTablesAndTheTokenFromTheEnvironment() {
        BackupClient.env = Map.of("SHADOWSHIFT_TOKEN", "tok-123")::get;
        status = 202;
        body = "{\"id\":\"b-1\",\"status\":\"RUNNING\"}";
        CliRun r = backup("create", url(), "--table=shop.customers,shop.orders", "--table", "shop.items");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("backup b-1 RUNNING for target main: shop.customers, shop.orders, shop.items"), r.out());
        assertEquals(List.of("POST /backups auth=Bearer tok-123 body={\"target\":\"main\",\"tables\":[\"shop.customers\",\"shop.orders\",\"shop.items\"]}"),
                seen);
        assertFalse(r.toString().contains("tok-123"), "the token is never printed");
    }

    @Test
    void theTokenFileWinsOverTheEnvironmentAndAnUnreadableOneIsInvalidInput() throws Exception {
        BackupClient.env = Map.of("SHADOWSHIFT_TOKEN", "from-env")::get;
        Path file = Files.writeString(home.resolve("token"), "from-file\n");
        assertEquals(0, backup("list", url(), "--token-file=" + file).code());
        assertTrue(seen.get(0).contains("auth=Bearer from-file"), seen.toString());
        CliRun missing = backup("list", url(), "--token-file=" + home.resolve("nope"));
        assertEquals(2, missing.code(), missing.toString());
        assertTrue(missing.err().contains("cannot read --token-file"), missing.toString());
    }

    @Test
    void aRefusedTokenSaysWhichRoleIsNeededAndHow() {
        status = 401;
        body = "";
        CliRun none = backup("list", url());
        assertEquals(1, none.code(), none.toString());
        assertTrue(none.err().contains("HTTP 401") && none.err().contains("role operator") && none.err().contains("none was sent")
                && none.err().contains("SHADOWSHIFT_TOKEN") && none.err().contains("--token-file"), none.toString());
        assertTrue(seen.get(0).contains("auth=null"), "no header without a token: " + seen);
        status = 403;
        BackupClient.env = Map.of("SHADOWSHIFT_TOKEN", "viewer")::get;
        CliRun wrongRole = backup("pin", url(), "b-1");
        assertEquals(1, wrongRole.code());
        assertTrue(wrongRole.err().contains("HTTP 403") && wrongRole.err().contains("the one sent was refused"), wrongRole.toString());
    }

    @Test
    void notFoundConflictAndBadRequestCarryTheWorkersReason() {
        status = 404;
        body = "{\"error\":\"no backup with id 'b-9'\"}";
        CliRun missing = backup("show", url(), "b-9");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no backup with id 'b-9'"), missing.toString());

        status = 409;
        body = "{\"error\":\"backup b-2 is CORRUPT (sha256 mismatch); only VERIFIED backups can be restored\"}";
        CliRun corrupt = backup("restore", url(), "b-2", "--into=scratch");
        assertEquals(1, corrupt.code());
        assertTrue(corrupt.err().contains("409") && corrupt.err().contains("CORRUPT"), corrupt.toString());
        assertTrue(seen.get(1).startsWith("POST /backups/b-2/restore") && seen.get(1).endsWith("body={\"database\":\"scratch\"}"), seen.toString());

        status = 400;
        body = "{\"error\":\"unknown target 'nope'; configured targets: [main]\"}";
        CliRun bad = backup("create", url(), "--target=nope");
        assertEquals(2, bad.code(), "the worker says the input is invalid");
        assertTrue(bad.err().contains("unknown target 'nope'"), bad.toString());
    }

    @Test
    void anUnreachableWorkerIsNamedWithItsUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun r = backup("list", "--url=http://127.0.0.1:" + port);
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("not reachable at http://127.0.0.1:" + port) && r.err().contains("./shadowshift up"), r.toString());
    }

    @Test
    void withoutAFlagTheRunningStacksWorkerIsUsed() throws Exception {
        Files.createDirectories(home.resolve(".shadowshift"));
        Files.writeString(home.resolve(".shadowshift/up.env"), "SHADOWSHIFT_UP_PID=" + ProcessHandle.current().pid() + "\n"
                + "SHADOWSHIFT_BACKUP_URL=http://127.0.0.1:" + server.getAddress().getPort() + "\n");
        CliRun r = backup("list", "--target=main");
        assertEquals(0, r.code(), r.toString());
        assertEquals("no backups of target main\n", r.out());
        assertEquals("GET /backups?limit=100&target=main auth=null body=", seen.get(0));
    }

    private static JsonNode json(String text) throws Exception {
        return EventCodec.mapper().readTree(text);
    }

    @Test
    void listIsATableWithAgeSizePinAndTables() throws Exception {
        JsonNode backups = json("""
                [{"id":"b-2","trigger":"MANUAL","status":"VERIFIED","pinned":true,"pinnedByOperator":true,"sizeBytes":1536,
                  "wholeDatabase":false,"tables":[{"name":"shop.customers","rows":3,"restoredRows":3},{"name":"shop.orders","rows":9}],
                  "createdAt":"2026-12-03T11:55:00Z"},
                 {"id":"b-1","trigger":"PLAN","status":"CORRUPT","pinned":true,"pinnedByOperator":false,"sizeBytes":5242880,
                  "wholeDatabase":false,"tables":[{"name":"shop.a_table_with_a_long_name_one"},{"name":"shop.a_table_with_a_long_name_two"},
                  {"name":"shop.three"}],"createdAt":"2026-11-30T12:00:00Z"},
                 {"id":"b-0","trigger":"SCHEDULED","status":"RUNNING","pinned":false,"pinnedByOperator":false,"wholeDatabase":true,
                  "tables":[],"createdAt":"2026-12-03T11:59:30Z"}]""");
        assertEquals("""
                ID   STATUS    TRIGGER    PINNED  SIZE    AGE  TABLES
                b-2  VERIFIED  MANUAL     yes     1.5 kB  5m   shop.customers, shop.orders
                b-1  CORRUPT   PLAN       plan    5.0 MB  3d   shop.a_table_with_a_long_name_one +2 more
                b-0  RUNNING   SCHEDULED  no      -       30s  (whole database)
                """, BackupOutput.table(backups, Instant.parse("2026-12-03T12:00:00Z")));
    }

    @Test
    void detailShowsRowsAtDumpTimeAgainstRestoredRows() throws Exception {
        String out = BackupOutput.detail(json("""
                {"id":"b-3","target":"main","status":"CORRUPT","reason":"restored row counts differ","wholeDatabase":false,
                 "location":"/b/b-3.dump","format":"custom","sizeBytes":2048,"sha256":"ab12","dumpSeconds":1.25,"verifySeconds":2.5,
                 "tables":[{"name":"shop.customers","rows":3,"restoredRows":3},{"name":"shop.orders","rows":10,"restoredRows":9}]}"""));
        assertEquals("""
                backup b-3: CORRUPT (restored row counts differ)
                  target      main
                  archive     /b/b-3.dump (custom, 2.0 kB)
                  sha256      ab12
                  took        1.3 s dump, 2.5 s verification restore
                TABLE           ROWS  RESTORED
                shop.customers  3     3
                shop.orders     10    9         MISMATCH
                """, out);
        assertEquals("999 B", BackupOutput.size(999));
        assertEquals("12 GB", BackupOutput.size(12L << 30));
    }
}
