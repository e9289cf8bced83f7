package dev.shadowshift.schema.api;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.TestTokens;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.contracts.events.SpecSubmitted;
import dev.shadowshift.schema.compile.Names;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TargetFixtures;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service against a real broker and a real PostgreSQL: specs in over REST and Kafka, spec-changed out. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchemaServiceTest {

    static final Path SPECS = dev.shadowshift.testkit.SharedSpecs.dir();
    static final Duration WAIT = Duration.ofSeconds(90);
    static TopicWatcher watcher;

    @BeforeAll
    static void watch() {
        assertTrue(Files.isRegularFile(SPECS.resolve("stripe-spec3-2022-04-07.json")), "specs at " + SPECS.toAbsolutePath());
        RestAssured.config = RestAssured.config().encoderConfig(EncoderConfig.encoderConfig()
                .encodeContentTypeAs("application/yaml", ContentType.TEXT)
                .encodeContentTypeAs("application/x-yaml", ContentType.TEXT));
        watcher = new TopicWatcher(bootstrap(), List.of(Topics.SPEC_CHANGED, Topics.SPEC_SUBMITTED + Topics.DEAD_LETTER_SUFFIX));
    }

    @AfterAll
    static void stop() {
        watcher.close();
    }

    @Test
    @Order(1)
    void stripeV1IsRegisteredAndAnnounced() throws Exception {
        byte[] spec = Files.readAllBytes(SPECS.resolve("stripe-spec3-2022-04-07.json"));
        Response r = TestTokens.as(Roles.PUBLISHER).contentType("application/json").body(spec)
                .post("/subjects/stripe/versions?target=main&schema=stripe");
        r.then().statusCode(201)
                .body("subject", equalTo("stripe"))
                .body("version", equalTo(1))
                .body("created", equalTo(true))
                .body("published", equalTo(true))
                .body("target", equalTo("main"))
                .body("schema", equalTo("stripe"))
                .body("changes[0].kind", equalTo("CREATE_SCHEMA"));

        SpecChanged changed = specChanged("stripe", 1);
        assertEquals(1, changed.version());
        assertEquals("BACKWARD", changed.compatibility());
        assertEquals(r.jsonPath().getString("contentHash"), changed.contentHash());
        assertEquals(ChangeKind.CREATE_SCHEMA, changed.changes().get(0).kind());
        SchemaChange customers = changed.changes().stream()
                .filter(c -> c.kind() == ChangeKind.CREATE_TABLE && c.table().equals("customers")).findFirst().orElseThrow();
        for (SchemaChange.ColumnSpec column : List.of(new SchemaChange.ColumnSpec("id", "text", false, true),
                new SchemaChange.ColumnSpec("object", "text", true, false), new SchemaChange.ColumnSpec("created", "bigint", true, false),
                new SchemaChange.ColumnSpec("livemode", "boolean", true, false), new SchemaChange.ColumnSpec("metadata", "jsonb", true, false),
                new SchemaChange.ColumnSpec("email", "text", true, false))) {
            assertTrue(customers.columns().contains(column), column + " in " + customers.columns());
        }
        assertTrue(changed.changes().stream().skip(1).allMatch(c -> c.kind() == ChangeKind.CREATE_TABLE));
    }

    @Test
    @Order(2)
    void theSameSpecAgainChangesNothing() throws Exception {
        byte[] spec = Files.readAllBytes(SPECS.resolve("stripe-spec3-2022-04-07.json"));
        TestTokens.as(Roles.PUBLISHER).contentType("application/json").body(spec)
                .post("/subjects/stripe/versions?target=main&schema=stripe")
                .then().statusCode(200)
                .body("version", equalTo(1))
                .body("created", equalTo(false));
        given().get("/subjects/stripe/versions").then().statusCode(200).body("size()", equalTo(1));
    }

    @Test
    @Order(3)
    void stripeV2AgainstTheMigratedDatabaseOnlyAddsColumns() throws Exception {
        // play the migration worker: apply version 1's DDL to the target
        String ddl = given().get("/subjects/stripe/versions/1/ddl").then().statusCode(200)
                .contentType(containsString("text/plain")).extract().asString();
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute(ddl);
        }
        assertTrue(columnsOf("stripe", "customers").containsAll(List.of("id", "object", "created", "livemode", "metadata", "email")));

        byte[] v2 = Files.readAllBytes(SPECS.resolve("stripe-spec3-2022-04-12.json"));
        // dry run first: same answer, nothing stored
        List<String> dryKinds = TestTokens.as(Roles.PUBLISHER).contentType("application/json").body(v2)
                .post("/subjects/stripe/diff?target=main&schema=stripe")
                .then().statusCode(200).extract().jsonPath().getList("changes.kind");
        assertTrue(dryKinds.stream().allMatch("ADD_COLUMN"::equals), dryKinds.toString());
        given().get("/subjects/stripe/versions").then().body("size()", equalTo(1));

        TestTokens.as(Roles.PUBLISHER).contentType("application/json").body(v2)
                .post("/subjects/stripe/versions?target=main&schema=stripe")
                .then().statusCode(201).body("version", equalTo(2)).body("previousVersion", equalTo(1));
        SpecChanged changed = specChanged("stripe", 2);
        assertEquals(1, changed.previousVersion());
        // the pair differs by exactly two properties, on two nested objects that the default rule makes tables too
        assertEquals(List.of(
                        "payment_method_details_card_presents.incremental_authorization_supported",
                        "payment_method_options_card_presents.request_incremental_authorization_support"),
                changed.changes().stream().map(c -> c.table() + "." + c.column()).sorted().toList());
        assertEquals(dryKinds.size(), changed.changes().size());
        for (SchemaChange c : changed.changes()) {
            assertEquals(ChangeKind.ADD_COLUMN, c.kind(), c.toString());
            assertEquals(Classification.ADDITIVE, c.classification());
            assertEquals(ChangePath.IN_PLACE, c.path());
            assertEquals("stripe", c.schema());
            assertTrue(c.toType() != null && c.column() != null, c.toString());
        }
        // the repeated version 1 did not publish a second event
        assertEquals(1, watcher.on(Topics.SPEC_CHANGED).stream().map(s -> EventCodec.read(s.value()).dataAs(SpecChanged.class))
                .filter(s -> s.subject().equals("stripe") && s.version() == 1).count());

        given().get("/subjects/stripe/versions/2").then().statusCode(200)
                .body("version", equalTo(2))
                .body("tableCount", equalTo(given().get("/subjects/stripe/versions/1").then().extract().jsonPath().getInt("tableCount")))
                .body("changes.size()", equalTo(changed.changes().size()));
        given().get("/subjects").then().statusCode(200).body("name", hasItem("stripe"));
        given().get("/subjects/nobody/versions").then().statusCode(404).body("error", equalTo("not_found"));
        given().get("/subjects/stripe/versions/9").then().statusCode(404);
    }

    static final String SHOP = """
            openapi: 3.0.3
            info: {title: shop, version: "1"}
            paths: {}
            components:
              schemas:
                customer:
                  type: object
                  properties:
                    id: {type: string}
                    email: {type: string}
            """;

    @Test
    @Order(4)
    void specsSubmittedOnKafkaAreRegisteredAndBadOnesDeadLettered() {
        submit("Shop.Kafka", SHOP);
        SpecChanged shop = specChanged("Shop.Kafka", 1);
        assertEquals("shop_kafka", shop.schema());
        assertEquals("main", shop.target());

        String malformedId = submit("broken", "openapi: 3.0.3\ninfo: [unclosed\n");
        TopicWatcher.send(bootstrap(), Topics.SPEC_SUBMITTED, "garbage", "this is not a cloud event");
        submit("after-the-broken-one", SHOP);

        TopicWatcher.Seen dead = watcher.await(Topics.SPEC_SUBMITTED + Topics.DEAD_LETTER_SUFFIX,
                s -> s.value().contains(malformedId), WAIT);
        assertTrue(String.valueOf(dead.headers().get("dead-letter-reason")).contains("line"), dead.headers().toString());
        TopicWatcher.Seen garbage = watcher.await(Topics.SPEC_SUBMITTED + Topics.DEAD_LETTER_SUFFIX,
                s -> s.value().equals("this is not a cloud event"), WAIT);
        assertTrue(String.valueOf(garbage.headers().get("dead-letter-reason")).contains("not JSON"), garbage.headers().toString());
        specChanged("after-the-broken-one", 1);
        given().get("/subjects").then().body("name", not(hasItem("broken")));
    }

    @Test
    @Order(5)
    void badInputIsRefusedWithTheProblemAndNothingIsStored() {
        TestTokens.as(Roles.PUBLISHER).contentType("application/json").body("{\"openapi\": \"3.0.0\",\n \"info\": }")
                .post("/subjects/bad1/versions").then().statusCode(400)
                .body("error", equalTo("invalid_json")).body("detail", containsString("line 2"));
        TestTokens.as(Roles.PUBLISHER).contentType("application/yaml").body("openapi: 3.0.0\ninfo: [x\n")
                .post("/subjects/bad2/versions").then().statusCode(400).body("error", equalTo("invalid_yaml"));
        TestTokens.as(Roles.PUBLISHER).contentType("application/json").body("{\"hello\": \"world\"}")
                .post("/subjects/bad3/versions").then().statusCode(400).body("error", equalTo("not_openapi"));
        TestTokens.as(Roles.PUBLISHER).contentType("application/json").body("""
                {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {},
                 "components": {"schemas": {"a": {"type": "object", "properties": {"id": {"$ref": "#/components/schemas/nope"}}}}}}""")
                .post("/subjects/bad4/versions").then().statusCode(400)
                .body("error", equalTo("unresolved_ref")).body("detail", containsString("/components/schemas/a/properties/id"));
        TestTokens.as(Roles.PUBLISHER).contentType("application/json").body("{\"openapi\": \"3.0.0\", \"x\": " + "[".repeat(3000) + "]".repeat(3000) + "}")
                .post("/subjects/bad5/versions").then().statusCode(400).body("error", equalTo("too_deep"));
        StringBuilder bomb = new StringBuilder("openapi: 3.0.0\na0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
        for (int i = 1; i < 9; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [").append(("*a" + (i - 1) + ",").repeat(9)).append("*a").append(i - 1).append("]\n");
        }
        TestTokens.as(Roles.PUBLISHER).contentType("application/x-yaml").body(bomb.toString())
                .post("/subjects/bad6/versions").then().statusCode(400).body("error", equalTo("yaml_aliases"));
        TestTokens.as(Roles.PUBLISHER).contentType("application/yaml").body(SHOP)
                .post("/subjects/-starts-with-dash/versions").then().statusCode(400).body("error", equalTo("invalid_subject"));
        TestTokens.as(Roles.PUBLISHER).contentType("application/yaml").body(SHOP)
                .post("/subjects/shop/versions?target=nowhere").then().statusCode(400).body("error", equalTo("unknown_target"));
        TestTokens.as(Roles.PUBLISHER).contentType("application/yaml").body("""
                openapi: 3.0.3
                info: {title: t, version: "1"}
                paths: {}
                components:
                  schemas:
                    thing:
                      type: object
                      properties:
                        id: {type: string}
                        fooBar: {type: string}
                        foo_bar: {type: string}
                """).post("/subjects/bad7/versions").then().statusCode(400)
                .body("error", equalTo("compile_error")).body("detail", containsString("'fooBar' and 'foo_bar'"));
        given().get("/subjects").then().statusCode(200)
                .body("name", not(hasItem("bad1"))).body("name", not(hasItem("bad7"))).body("name", not(hasItem("shop")));
        long events = watcher.on(Topics.SPEC_CHANGED).stream().filter(s -> s.value().contains("\"subject\":\"bad")).count();
        assertEquals(0, events);
    }

    @Test
    @Order(6)
    void namesThatLookLikeSqlAreRefusedAtRegistrationAndOddButHarmlessOnesWork() throws Exception {
        String hostile = """
                {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
                 "components": {"schemas": {"evil\\"; DROP TABLE x; --": {"type": "object", "properties": {
                   "id": {"type": "string"}}}}}}""";
        TestTokens.as(Roles.PUBLISHER).contentType("application/json").body(hostile).post("/subjects/hostile/versions?schema=hostile")
                .then().statusCode(400).body("error", equalTo("unpublishable_change")).body("detail", containsString("table"));
        TestTokens.as(Roles.PUBLISHER).contentType("application/json").body(hostile.replace("evil\\\"; DROP TABLE x; --", "evil"))
                .post("/subjects/hostile/versions?schema=we\"ird;schema")
                .then().statusCode(400).body("detail", containsString("schema"));
        String odd = """
                {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
                 "components": {"schemas": {"reaction": {"type": "object", "properties": {
                   "id": {"type": "string"},
                   "+1": {"type": "integer"},
                   "prénom": {"type": "string"},
                   "%s": {"type": "string"}}}}}}""".formatted("y".repeat(90));
        Response r = TestTokens.as(Roles.PUBLISHER).contentType("application/json").body(odd).post("/subjects/oddnames/versions?schema=odd$names");
        r.then().statusCode(201).body("schema", equalTo("odd$names"));
        SpecChanged event = EventSchemas.parse(watcher.await(Topics.SPEC_CHANGED, s -> s.value().contains("\"subject\":\"oddnames\""),
                WAIT).value(), EventType.SPEC_CHANGED).dataAs(SpecChanged.class);
        try (Connection c = target()) {
            for (SchemaChange change : event.changes()) {
                dev.shadowshift.operations.Operation.of(change).start(c);
            }
        }
        List<String> columns = columnsOf("odd$names", "reactions");
        assertTrue(columns.containsAll(List.of("id", "+1", "prénom")), columns.toString());
        assertTrue(columns.stream().anyMatch(col -> col.startsWith("yyyy") && col.length() <= 63), columns.toString());
        assertTrue(r.jsonPath().getList("changes.classification").contains("IDENTIFIER_TOO_LONG"));
    }

    @Test
    @Order(7)
    void indexesAreDiffedAndRegisteredOnlyWhenAsked() throws Exception {
        String spec = """
                openapi: 3.0.3
                info: {title: idx, version: "1"}
                paths: {}
                components:
                  schemas:
                    customer:
                      type: object
                      properties:
                        id: {type: string}
                        email: {type: string}
                        metadata: {type: object}
                """;
        TestTokens.as(Roles.PUBLISHER).contentType("application/yaml").body(spec).post("/subjects/idx/diff?schema=idx")
                .then().statusCode(200).body("changes.kind", not(hasItem("CREATE_INDEX")));
        Response r = TestTokens.as(Roles.PUBLISHER).contentType("application/yaml").body(spec).post("/subjects/idx/versions?schema=idx&indexes=true");
        r.then().statusCode(201)
                .body("changes.findAll { it.kind == 'CREATE_INDEX' }.index.name", hasItem("idx_customers_email"))
                .body("changes.findAll { it.kind == 'CREATE_INDEX' }.lockLevel", not(hasItem("ACCESS EXCLUSIVE")));
        SpecChanged event = specChanged("idx", 1);
        assertEquals(2, event.changes().stream().filter(c -> c.kind() == ChangeKind.CREATE_INDEX
                && c.lockLevel() == LockLevel.SHARE_UPDATE_EXCLUSIVE && c.path() == ChangePath.IN_PLACE).count());
        given().get("/subjects/idx/versions/1/ddl?indexes=true").then().statusCode(200)
                .body(containsString("USING gin (\"metadata\")"));
        given().get("/subjects/idx/versions/1/ddl").then().statusCode(200)
                .body(not(containsString("CREATE INDEX")));
    }

    @Test
    @Order(8)
    void envelopePairsAreSkippedAndRenamesReportedUnlessStrictNamesRefuse() throws Exception {
        byte[] spec = Files.readAllBytes(Path.of("src/test/resources/specs/box-shaped.yaml"));
        String renamed = Names.suffixedTableName("Webhooks");
        TestTokens.as(Roles.PUBLISHER).contentType("application/yaml").body(spec).post("/subjects/boxlike/diff?strictNames=true")
                .then().statusCode(400).body("error", equalTo("compile_error"))
                .body("detail", containsString("'Webhook' and 'Webhooks' both map to table 'webhooks' (refused: strict names"));
        Response r = TestTokens.as(Roles.PUBLISHER).contentType("application/yaml").body(spec).post("/subjects/boxlike/versions");
        r.then().statusCode(201)
                .body("tables", equalTo(15))
                .body("naming.size()", equalTo(8))
                .body("naming.findAll { it.decision == 'SKIPPED' }.schema", equalTo(List.of("Collaborations", "Comments", "Events",
                        "Files", "Items", "TermsOfServices", "Users")))
                .body("naming.find { it.decision == 'RENAMED' }.table", equalTo(renamed))
                .body("changes.findAll { it.kind == 'CREATE_TABLE' }.table", hasItem(renamed))
                .body("changes.findAll { it.kind == 'CREATE_TABLE' }.table", not(hasItem("items")));
        specChanged("boxlike", 1);
        given().get("/subjects/boxlike/versions/1").then().statusCode(200)
                .body("naming[3].reason", containsString("collection envelope of 'File--Full'"));

        // the same option on spec-submitted: a refusal goes to the dead-letter topic with the reason
        CloudEvent event = EventCodec.create(UUID.randomUUID().toString(), "/upstream/test", "boxlike-strict",
                new SpecSubmitted("boxlike-strict", new String(spec, java.nio.charset.StandardCharsets.UTF_8), null, null, null, true));
        TopicWatcher.send(bootstrap(), Topics.SPEC_SUBMITTED, "boxlike-strict", EventCodec.write(event));
        TopicWatcher.Seen dead = watcher.await(Topics.SPEC_SUBMITTED + Topics.DEAD_LETTER_SUFFIX,
                s -> s.value().contains(event.id()), WAIT);
        assertTrue(String.valueOf(dead.headers().get("dead-letter-reason")).contains("both map to table 'webhooks'"),
                dead.headers().toString());
        given().get("/subjects").then().body("name", not(hasItem("boxlike-strict")));
    }

    /** Waits for the subject's version on spec-changed, checks the event against its schema and its key. */
    static SpecChanged specChanged(String subject, int version) {
        TopicWatcher.Seen seen = watcher.await(Topics.SPEC_CHANGED, s -> {
            SpecChanged data = EventCodec.read(s.value()).dataAs(SpecChanged.class);
            return data.subject().equals(subject) && data.version() == version;
        }, WAIT);
        CloudEvent event = EventSchemas.parse(seen.value(), EventType.SPEC_CHANGED);
        SpecChanged data = event.dataAs(SpecChanged.class);
        assertEquals(data.target() + "/" + data.schema(), seen.key());
        assertEquals("/shadowshift/schema-service", event.source());
        assertEquals(subject, event.subject());
        assertTrue(seen.headers().getOrDefault("content-type", "").startsWith("application/cloudevents+json"));
        return data;
    }

    static String submit(String subject, String spec) {
        CloudEvent event = EventCodec.create(UUID.randomUUID().toString(), "/upstream/test", subject,
                new SpecSubmitted(subject, spec, null, null, null));
        TopicWatcher.send(bootstrap(), Topics.SPEC_SUBMITTED, subject, EventCodec.write(event));
        return event.id();
    }

    static List<String> columnsOf(String schema, String table) throws Exception {
        try (Connection c = target(); PreparedStatement ps = c.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    /** The target as its owner in a deployment (migration-worker's role), who creates its tables. */
    static Connection target() throws Exception {
        return TargetFixtures.asOwner();
    }

    static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }
}
