package dev.shadowshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's verbs in-process against the testkit's real PostgreSQL, one fresh database per test. */
class SchemaCliTest {

    static PostgresServer pg;
    static final String PASSWORD_MARKER = "hunter2-never-printed";

    @TempDir
    Path dir;

    static final String SHOP = """
            openapi: 3.0.3
            info: {title: Shop API, version: "1"}
            paths: {}
            components:
              schemas:
                customer:
                  type: object
                  properties:
                    id: {type: string}
                    email: {type: string}
                    created: {type: integer, format: unix-time}
                    balance: {type: integer}
                    metadata: {type: object}
                charge:
                  type: object
                  properties:
                    id: {type: string}
                    customer: {type: string}
                    amount: {type: integer}
                    status: {type: string}
            """;

    @BeforeAll
    static void start() {
        pg = Infrastructure.shared().postgres();
    }

    Path spec(String text) throws Exception {
        Path file = Files.createTempFile(dir, "spec", ".yaml");
        Files.writeString(file, text);
        return file;
    }

    /** The URL carries a password the (trust-authenticated) server never asks for: it must never be printed. */
    static String db(String database) {
        return CliRun.url(pg, database) + (pg.password().isEmpty() ? "&password=" + PASSWORD_MARKER : "");
    }

    static CliRun cli(String... args) {
        CliRun r = CliRun.run(SchemaDiff::readSpec, args);
        assertFalse(r.out().contains(PASSWORD_MARKER) || r.err().contains(PASSWORD_MARKER), r.toString());
        if (!pg.password().isEmpty()) {
            assertFalse(r.out().contains(pg.password()) || r.err().contains(pg.password()), "password printed");
        }
        return r;
    }

    static List<String> query(String database, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = pg.connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    static void execute(String database, String sql) throws Exception {
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void emptyDatabaseIsMigratedThenNothingIsLeftToDo() throws Exception {
        String database = Infrastructure.shared().freshDatabase("cli_ok");
        Path spec = spec(SHOP);
        CliRun diff = cli("diff-schema", "--spec=" + spec, "--existing-db=" + db(database));
        assertEquals(0, diff.code(), diff.toString());
        assertTrue(diff.out().contains("CREATE TABLE IF NOT EXISTS \"shop\".\"customers\""), diff.toString());
        assertTrue(query(database, "SELECT nspname FROM pg_namespace WHERE nspname = 'shop'").isEmpty(), "diff-schema changed nothing");

        CliRun migrate = cli("migrate", "--spec=" + spec, "--existing-db=" + db(database), "--with-indexes");
        assertEquals(0, migrate.code(), migrate.toString());
        assertTrue(migrate.out().contains("completed"), migrate.toString());
        assertEquals(List.of("charges", "customers"), query(database,
                "SELECT tablename FROM pg_tables WHERE schemaname = 'shop' ORDER BY 1"));
        assertEquals(List.of("charges_pkey", "customers_pkey", "idx_charges_customer", "idx_charges_status", "idx_customers_created",
                "idx_customers_email", "idx_customers_metadata"), query(database,
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'shop' ORDER BY 1"));

        CliRun again = cli("diff-schema", "--spec=" + spec, "--existing-db=" + db(database), "--with-indexes");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().contains("nothing to do"), again.toString());
        CliRun evolution = cli("generate-evolution", "--spec=" + spec, "--existing-db=" + db(database));
        assertEquals(0, evolution.code(), evolution.toString());
        assertTrue(evolution.out().contains("nothing to do"), evolution.toString());
    }

    @Test
    void unsafeChangesExit3AndMigrateAppliesOnlyTheSafeOnes() throws Exception {
        String database = Infrastructure.shared().freshDatabase("cli_unsafe");
        // balance was text; the spec says integer: a type change, for the shadow-table path. email is missing: safe.
        execute(database, "CREATE SCHEMA shop; CREATE TABLE shop.customers (id text PRIMARY KEY, balance text, created bigint, "
                + "metadata jsonb); INSERT INTO shop.customers VALUES ('cus_1', '10', 1, '{}')");
        Path spec = spec(SHOP);
        String[] common = {"--spec=" + spec, "--existing-db=" + db(database), "--objects=customer"};

        CliRun diff = cli(concat("diff-schema", common));
        assertEquals(3, diff.code(), diff.toString());
        assertTrue(diff.out().contains("-- ALTER_COLUMN_TYPE customers.balance: REWRITE, lock ACCESS EXCLUSIVE, path SHADOW_TABLE"), diff.toString());
        assertTrue(diff.out().contains("hazards: REWRITE, DATA_DEPENDENT"), diff.toString());

        CliRun evolution = cli(concat("generate-evolution", common));
        assertEquals(3, evolution.code(), evolution.toString());
        assertTrue(evolution.out().contains("ALTER TABLE \"shop\".\"customers\" ADD COLUMN IF NOT EXISTS \"email\" text;"), evolution.toString());
        assertTrue(evolution.out().contains("-- PENDING: 1 changes"), evolution.toString());
        assertFalse(evolution.out().lines().anyMatch(l -> l.startsWith("ALTER TABLE") && l.contains("TYPE")), evolution.toString());

        CliRun json = cli(concat("diff-schema", concat("--format=json", common)));
        assertEquals(3, json.code(), json.toString());
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertEquals(2, doc.get("changes").size());
        assertEquals(1, doc.get("pending").asInt());

        // text to integer may refuse values: the whole plan waits for approval, nothing is changed
        CliRun held = cli(concat("migrate", common));
        assertEquals(3, held.code(), held.toString());
        assertTrue(held.out().contains("waits for an operator's approval") && held.out().contains("ALTER_COLUMN_TYPE customers.balance"),
                held.toString());
        assertEquals(List.of(), query(database, "SELECT attname FROM pg_attribute WHERE attrelid = 'shop.customers'::regclass "
                + "AND attname = 'email'"), "nothing applied before approval");
        CliRun approved = cli(concat("migrate", concat("--approve", concat("--no-backup", common))));
        assertEquals(0, approved.code(), approved.toString());
        assertTrue(approved.err().contains("now serves from the rebuilt table"), approved.toString());
        assertEquals(List.of("bigint"), query(database, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = 'shop.customers'::regclass AND attname = 'balance'"), "through the shadow table");
        assertEquals(List.of("email"), query(database, "SELECT attname FROM pg_attribute WHERE attrelid = 'shop.customers'::regclass "
                + "AND attname = 'email'"));
    }

    @Test
    void tablesAndColumnsTheSpecNoLongerHasAreReportedUnlessIgnored() throws Exception {
        String database = Infrastructure.shared().freshDatabase("cli_drops");
        Path spec = spec(SHOP);
        assertEquals(0, cli("migrate", "--spec=" + spec, "--existing-db=" + db(database)).code());
        execute(database, "ALTER TABLE shop.customers ADD COLUMN legacy text; CREATE TABLE shop.coupons (id text PRIMARY KEY)");
        CliRun diff = cli("diff-schema", "--spec=" + spec, "--existing-db=" + db(database));
        assertEquals(3, diff.code(), diff.toString());
        assertTrue(diff.out().contains("-- DROP_COLUMN customers.legacy: DESTRUCTIVE"), diff.toString());
        assertTrue(diff.out().contains("-- DROP_TABLE coupons: DESTRUCTIVE"), diff.toString());
        assertTrue(diff.out().contains("hazards: DESTRUCTIVE, BACKWARD_INCOMPATIBLE"), diff.toString());
        // --objects narrows what the spec owns to the selected tables: coupons is not proposed for dropping
        CliRun narrowed = cli("diff-schema", "--spec=" + spec, "--existing-db=" + db(database), "--objects=charge");
        assertEquals(0, narrowed.code(), narrowed.toString());
        CliRun ignored = cli("diff-schema", "--spec=" + spec, "--existing-db=" + db(database), "--ignore-drops");
        assertEquals(0, ignored.code(), ignored.toString());
        CliRun migrate = cli("migrate", "--spec=" + spec, "--existing-db=" + db(database));
        assertEquals(3, migrate.code(), migrate.toString());
        assertEquals(List.of("coupons"), query(database, "SELECT tablename FROM pg_tables WHERE tablename = 'coupons'"),
                "migrate never drops");
    }

    @Test
    void theMigrationEnginesWorkingTablesAreNotTheSpecsAndAreNeverProposedForDropping() throws Exception {
        String database = Infrastructure.shared().freshDatabase("cli_working");
        Path spec = spec(SHOP);
        assertEquals(0, cli("migrate", "--spec=" + spec, "--existing-db=" + db(database)).code());
        // what a shadow rebuild leaves for its retention period: the rollback point and the lost-keys table
        execute(database, "CREATE TABLE shop.customers_ss_old_0123abcd (LIKE shop.customers); "
                + "CREATE TABLE shop.customers_ss_lost_0123abcd (key text PRIMARY KEY)");
        CliRun diff = cli("diff-schema", "--spec=" + spec, "--existing-db=" + db(database));
        assertEquals(0, diff.code(), diff.toString());
        assertTrue(diff.out().contains("nothing to do"), diff.toString());
    }

    @Test
    void aHeldLockIsRetriedThenTheRunFailsAndARerunCompletes() throws Exception {
        String database = Infrastructure.shared().freshDatabase("cli_lock");
        execute(database, "CREATE SCHEMA shop; CREATE TABLE shop.customers (id text PRIMARY KEY)");
        Path spec = spec(SHOP);
        try (Connection holder = pg.connect(database); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE shop.customers IN ACCESS SHARE MODE"); // a long read: ADD COLUMN must wait for it
            CliRun blocked = cli("migrate", "--spec=" + spec, "--existing-db=" + db(database), "--objects=customer", "--no-backup",
                    "--lock-timeout=100ms", "--retries=2");
            assertEquals(1, blocked.code(), blocked.toString());
            assertTrue(blocked.err().contains("could not lock 'customers' within lock_timeout 100ms"), blocked.toString());
            assertTrue(blocked.out().contains("failed after 3 attempts"), blocked.toString());
            holder.rollback();
        }
        CliRun released = cli("migrate", "--spec=" + spec, "--existing-db=" + db(database), "--objects=customer", "--no-backup");
        assertEquals(0, released.code(), released.toString());
        assertTrue(released.out().contains("completed"), released.toString());
    }

    @Test
    void libpqStyleUrlsWork() throws Exception {
        String database = Infrastructure.shared().freshDatabase("cli_libpq");
        String url = "postgresql://" + pg.user() + (pg.password().isEmpty() ? ":" + PASSWORD_MARKER : ":" + pg.password())
                + "@" + pg.host() + ":" + pg.port() + "/" + database;
        CliRun r = cli("generate-evolution", "--spec=" + spec(SHOP), "--existing-db=" + url, "--schema=billing");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("CREATE SCHEMA IF NOT EXISTS \"billing\";"), r.toString());
        assertTrue(r.out().contains(" against " + pg.user() + "@" + pg.host() + ":" + pg.port() + "/" + database), r.toString());
    }

    @Test
    void badInputExits2WithTheProblemAndRunsNoSql() throws Exception {
        String database = Infrastructure.shared().freshDatabase("cli_bad");
        String ok = db(database);
        record Case(String why, String[] args, String expected) {
        }
        List<Case> cases = List.of(
                new Case("invalid JSON", new String[]{"diff-schema", "--spec=" + spec("{\"openapi\": \"3.0.0\", "), "--existing-db=" + ok},
                        "invalid_json"),
                new Case("not OpenAPI", new String[]{"migrate", "--spec=" + spec("title: just yaml\n"), "--existing-db=" + ok},
                        "neither an 'openapi' nor a 'swagger' field"),
                new Case("unresolved $ref", new String[]{"migrate", "--spec=" + spec(SHOP.replace("type: object}", "$ref: '#/components/schemas/nope'}")),
                        "--existing-db=" + ok}, "#/components/schemas/nope"),
                new Case("YAML alias bomb", new String[]{"migrate", "--spec=" + spec(aliasBomb()), "--existing-db=" + ok}, "alias"),
                new Case("two properties on one column", new String[]{"migrate", "--spec=" + spec(SHOP.replace(
                        "balance: {type: integer}", "balance: {type: integer}\n        Balance: {type: integer}")), "--existing-db=" + ok},
                        "'balance' and 'Balance' both map to column 'balance'"),
                new Case("missing file", new String[]{"diff-schema", "--spec=" + dir.resolve("missing.json"), "--existing-db=" + ok},
                        "no such file"),
                new Case("unknown object", new String[]{"diff-schema", "--spec=" + spec(SHOP), "--existing-db=" + ok, "--objects=nope"},
                        "no component schema named 'nope'"),
                new Case("unknown flag", new String[]{"diff-schema", "--spec=x", "--existing-db=" + ok, "--frobnicate"}, "Unknown option: '--frobnicate'"),
                new Case("bad format", new String[]{"diff-schema", "--spec=x", "--existing-db=" + ok, "--format=yaml"}, "--format"),
                new Case("not a URL", new String[]{"diff-schema", "--spec=" + spec(SHOP), "--existing-db=mysql://u:" + PASSWORD_MARKER + "@h/db"},
                        "not a PostgreSQL URL"),
                new Case("unreachable database", new String[]{"diff-schema", "--spec=" + spec(SHOP),
                        "--existing-db=postgresql://u:" + PASSWORD_MARKER + "@127.0.0.1:1/nowhere"}, "cannot connect to the database u@127.0.0.1:1/nowhere"),
                new Case("missing database", new String[]{"diff-schema", "--spec=" + spec(SHOP), "--existing-db=" + db("no_such_db_here")},
                        "cannot connect to the database"),
                new Case("reserved schema", new String[]{"diff-schema", "--spec=" + spec(SHOP), "--existing-db=" + ok, "--schema=pg_catalog"},
                        "reserved"),
                new Case("no command", new String[]{}, "Usage: shadowshift"),
                new Case("unknown command", new String[]{"frobnicate"}, "Unmatched argument"),
                new Case("missing spec", new String[]{"migrate", "--existing-db=" + ok}, "Missing required option: '--spec=FILE'"));
        for (Case c : cases) {
            CliRun r = cli(c.args());
            assertEquals(2, r.code(), c.why() + ": " + r);
            assertTrue(r.err().contains(c.expected()), c.why() + ": " + r);
            assertTrue(r.out().isEmpty(), c.why() + ": " + r);
        }
        assertEquals(List.of(), query(database, "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                + "AND nspname NOT IN ('public', 'information_schema')"), "no SQL ran");
    }

    static String aliasBomb() {
        StringBuilder y = new StringBuilder("openapi: 3.0.0\ninfo: {title: bomb, version: '1'}\npaths: {}\n");
        y.append("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 9; i++) {
            y.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                y.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            y.append("]\n");
        }
        return y.toString();
    }

    static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    static String read(Path p) throws Exception {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
