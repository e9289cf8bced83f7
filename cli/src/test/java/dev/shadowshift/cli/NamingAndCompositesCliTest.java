package dev.shadowshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowshift.schema.compile.Names;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.PostgresServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

/**
 * A spec with File/Files-style envelope pairs and the seed's composite index patterns, through the CLI against the
 * testkit's real PostgreSQL: what is skipped and renamed is reported, the result applies, and strict names refuse.
 */
class NamingAndCompositesCliTest {

    static final Path BOX_SHAPED = Path.of("../schema-service/src/test/resources/specs/box-shaped.yaml").toAbsolutePath().normalize();
    static PostgresServer pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        pg = Infrastructure.shared().postgres();
    }

    static CliRun cli(String... args) {
        return CliRun.run(SchemaDiff::readSpec, args);
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

    @Test
    void envelopePairsAreSkippedTheRealCollisionRenamedAndTheResultApplies() throws Exception {
        String database = Infrastructure.shared().freshDatabase("cli_box");
        String spec = "--spec=" + BOX_SHAPED;
        String db = "--existing-db=" + CliRun.url(pg, database);
        String renamed = Names.suffixedTableName("Webhooks");

        CliRun diff = cli("diff-schema", spec, db);
        assertEquals(0, diff.code(), diff.toString());
        assertTrue(diff.out().contains("-- skipped 'Files' (would be files): collection envelope of 'File--Full' (entries, paged by "
                + "total_count, limit, offset, order)"), diff.toString());
        assertTrue(diff.out().contains("-- renamed 'Webhooks' webhooks -> " + renamed + ": 'webhooks' goes to 'Webhook' (the "
                + "singular name wins)"), diff.toString());
        assertEquals(8, diff.out().lines().filter(l -> l.startsWith("-- skipped ") || l.startsWith("-- renamed ")).count(),
                diff.toString());

        CliRun json = cli("diff-schema", spec, db, "--format=json");
        JsonNode naming = new ObjectMapper().readTree(json.out()).get("naming");
        assertEquals(8, naming.size(), json.toString());
        assertEquals("Collaborations", naming.get(0).get("schema").asText());
        assertEquals("SKIPPED", naming.get(0).get("decision").asText());
        assertEquals(renamed, naming.get(7).get("table").asText());

        CliRun migrate = cli("migrate", spec, db, "--with-indexes");
        assertEquals(0, migrate.code(), migrate.toString());
        assertTrue(migrate.err().contains("shadowshift | renamed 'Webhooks'"), migrate.toString());
        List<String> tables = query(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'boxlike' ORDER BY 1");
        assertTrue(tables.containsAll(List.of("files", "files_full", "users", "webhooks", renamed)), tables.toString());
        assertFalse(tables.contains("items"), tables.toString());
        assertEquals(15, tables.size(), tables.toString());
        CliRun again = cli("diff-schema", spec, db, "--with-indexes");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().contains("nothing to do"), again.toString());
    }

    @Test
    void strictNamesRefuseTheRealCollisionAndChangeNothing() throws Exception {
        String database = Infrastructure.shared().freshDatabase("cli_strict");
        CliRun strict = cli("migrate", "--spec=" + BOX_SHAPED, "--existing-db=" + CliRun.url(pg, database), "--strict-names");
        assertEquals(Shadowshift.INVALID_INPUT, strict.code(), strict.toString());
        assertTrue(strict.err().contains("does not compile to tables: component schemas 'Webhook' and 'Webhooks' both map to "
                + "table 'webhooks' (refused: strict names"), strict.toString());
        assertEquals(List.of(), query(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'boxlike'"));
    }

    @Test
    void theSeedsCompositesAreAppliedConcurrentlyOnlyWhenAsked() throws Exception {
        Path spec = Files.writeString(dir.resolve("seed.yaml"), """
                openapi: 3.0.3
                info: {title: Stripe-like API, version: "1"}
                paths: {}
                components:
                  schemas:
                    customer:
                      type: object
                      properties: {id: {type: string}, email: {type: string}, created: {type: integer}}
                    payment_intent:
                      type: object
                      properties: {id: {type: string}, customer: {type: string}, created: {type: integer}, status: {type: string}}
                    subscription:
                      type: object
                      properties: {id: {type: string}, status: {type: string}, created: {type: integer}}
                    person:
                      type: object
                      properties: {id: {type: string}, account_id: {type: string}, name: {type: string}}
                """);
        String database = Infrastructure.shared().freshDatabase("cli_composite");
        String db = "--existing-db=" + CliRun.url(pg, database);
        CliRun without = cli("migrate", "--spec=" + spec, db);
        assertEquals(0, without.code(), without.toString());
        assertEquals(List.of(), query(database, "SELECT indexname FROM pg_indexes WHERE schemaname = 'stripe' "
                + "AND indexname LIKE 'idx_%'"), "no recommended index unless asked");

        CliRun evolution = cli("generate-evolution", "--spec=" + spec, db, "--with-indexes");
        assertEquals(0, evolution.code(), evolution.toString());
        assertTrue(evolution.out().contains("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"idx_payment_intents_customer_created\" ON "
                + "\"stripe\".\"payment_intents\" USING btree (\"customer\", \"created\");"), evolution.toString());
        assertTrue(evolution.out().contains("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"idx_people_account_id_id\""),
                evolution.toString());
        CliRun migrate = cli("migrate", "--spec=" + spec, db, "--with-indexes");
        assertEquals(0, migrate.code(), migrate.toString());
        assertEquals(List.of(
                        "idx_customers_created: CREATE INDEX idx_customers_created ON stripe.customers USING btree (created)",
                        "idx_customers_email: CREATE INDEX idx_customers_email ON stripe.customers USING btree (email)",
                        "idx_payment_intents_created: CREATE INDEX idx_payment_intents_created ON stripe.payment_intents USING btree (created)",
                        "idx_payment_intents_customer_created: CREATE INDEX idx_payment_intents_customer_created ON stripe.payment_intents USING btree (customer, created)",
                        "idx_payment_intents_status_created: CREATE INDEX idx_payment_intents_status_created ON stripe.payment_intents USING btree (status, created)",
                        "idx_people_account_id_id: CREATE UNIQUE INDEX idx_people_account_id_id ON stripe.people USING btree (account_id, id)",
                        "idx_subscriptions_created: CREATE INDEX idx_subscriptions_created ON stripe.subscriptions USING btree (created)",
                        "idx_subscriptions_status_created: CREATE INDEX idx_subscriptions_status_created ON stripe.subscriptions USING btree (status, created)"),
                query(database, "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'stripe' "
                        + "AND indexname LIKE 'idx_%' ORDER BY 1"));
        CliRun again = cli("diff-schema", "--spec=" + spec, db, "--with-indexes");
        assertTrue(again.out().contains("nothing to do"), again.toString());
    }

    @Test
    void specTextWithLineBreaksStaysInsideTheScriptsComments() throws Exception {
        // the title, and the name of a skipped envelope, end up in comment lines of a script meant for psql
        Path spec = Files.writeString(dir.resolve("hostile.json"), """
                {"openapi": "3.0.3", "info": {"title": "Evil\\nCREATE TABLE public.injected_by_title (x int);\\r--", "version": "1"},
                 "paths": {}, "components": {"schemas": {
                   "file": {"type": "object", "properties": {"id": {"type": "string"}}},
                   "files\\nCREATE TABLE public.injected_by_name (x int);": {"type": "object", "properties": {
                     "total_count": {"type": "integer"}, "entries": {"type": "array", "items": {"$ref": "#/components/schemas/file"}}}}}}}
                """);
        String database = Infrastructure.shared().freshDatabase("cli_hostile");
        CliRun evolution = cli("generate-evolution", "--spec=" + spec, "--existing-db=" + CliRun.url(pg, database), "--schema=evil");
        assertEquals(0, evolution.code(), evolution.toString());
        assertTrue(evolution.out().contains("-- skipped 'files\\nCREATE TABLE public.injected_by_name (x int);'"), evolution.toString());
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute(evolution.out());
        }
        assertEquals(List.of("files"), query(database, "SELECT tablename FROM pg_tables WHERE schemaname IN ('evil', 'public') ORDER BY 1"));
    }
}
