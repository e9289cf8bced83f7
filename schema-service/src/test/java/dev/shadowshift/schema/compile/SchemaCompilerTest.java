package dev.shadowshift.schema.compile;

import dev.shadowshift.schema.spec.ParsedSpec;
import dev.shadowshift.schema.spec.SpecParser;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaCompilerTest {

    static final Path SPECS = dev.shadowshift.testkit.SharedSpecs.dir();
    static final SpecParser PARSER = new SpecParser(200, 100);

    static ParsedSpec parse(String yaml) {
        return PARSER.parse(yaml.getBytes(StandardCharsets.UTF_8));
    }

    static CompiledModel compile(String yaml) {
        return SchemaCompiler.compile(parse(yaml).openApi(), null);
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
                    object: {type: string}
                    id: {type: string}
                    created: {type: integer, format: unix-time}
                    balance: {type: number}
                    livemode: {type: boolean}
                    metadata: {type: object, additionalProperties: {type: string}}
                    tags: {type: array, items: {type: string}}
                    lines: {type: array, items: {$ref: '#/components/schemas/line'}}
                    default_source: {anyOf: [{type: string}, {$ref: '#/components/schemas/line'}]}
                    currency: {$ref: '#/components/schemas/currency'}
                    codes: {type: array, items: {$ref: '#/components/schemas/currency'}}
                    address: {$ref: '#/components/schemas/line'}
                line:
                  type: object
                  properties:
                    amount: {type: integer}
                currency: {type: string, enum: [usd, eur]}
                gist-simple:
                  type: object
                  properties:
                    id: {type: integer}
                    url: {type: string}
                gist-full:
                  allOf:
                    - $ref: '#/components/schemas/gist-simple'
                    - type: object
                      properties:
                        forks: {type: array, items: {type: object}}
            """;

    @Test
    void mapsTypesAsTheSeedSays() {
        CompiledModel model = compile(SHOP);
        assertEquals(List.of("customers", "gists_full", "gists_simple", "lines"), model.tables().stream().map(CompiledTable::name).toList());
        CompiledTable customers = model.table("customers").orElseThrow();
        assertEquals(List.of("id", "object", "created", "balance", "livemode", "metadata", "tags", "lines", "default_source",
                "currency", "codes", "address"), customers.columns().stream().map(CompiledColumn::name).toList());
        assertEquals(List.of("text", "text", "bigint", "numeric", "boolean", "jsonb", "text[]", "jsonb", "jsonb",
                "text", "text[]", "jsonb"), customers.columns().stream().map(CompiledColumn::type).toList());
        CompiledColumn id = customers.columns().get(0);
        assertTrue(id.primaryKey());
        assertFalse(id.nullable());
        assertTrue(customers.columns().stream().skip(1).allMatch(CompiledColumn::nullable));
    }

    @Test
    void allOfMergesPropertiesAndIntegerIdsStayIntegers() {
        CompiledTable gist = compile(SHOP).table("gists_full").orElseThrow();
        assertEquals(List.of("id", "url", "forks"), gist.columns().stream().map(CompiledColumn::name).toList());
        assertEquals("bigint", gist.columns().get(0).type());
        assertEquals("jsonb", gist.columns().get(2).type());
    }

    @Test
    void objectsSelectionIsHonouredAndChecked() {
        ParsedSpec spec = parse(SHOP);
        assertEquals(List.of("customers"), SchemaCompiler.compile(spec.openApi(), List.of("customer")).tables().stream()
                .map(CompiledTable::name).toList());
        CompileException missing = assertThrows(CompileException.class, () -> SchemaCompiler.compile(spec.openApi(), List.of("nope")));
        assertTrue(missing.getMessage().contains("'nope'"), missing.getMessage());
        // a value object without an id still gets the seed's id text primary key, for the syncing side to fill
        CompiledTable lines = SchemaCompiler.compile(spec.openApi(), List.of("line")).tables().get(0);
        assertEquals("id", lines.columns().get(0).name());
        assertTrue(lines.columns().get(0).primaryKey());
        assertEquals("text", lines.columns().get(0).type());
        assertEquals(null, lines.columns().get(0).property());
    }

    @Test
    void theResourcesOnlyRuleKeepsSchemasWithAnId() {
        ParsedSpec spec = parse(SHOP);
        List<String> all = SchemaCompiler.compile(spec.openApi(), null).tables().stream().map(CompiledTable::name).toList();
        List<String> resources = SchemaCompiler.compile(spec.openApi(), null, SchemaCompiler.TableRule.OBJECTS_WITH_ID)
                .tables().stream().map(CompiledTable::name).toList();
        assertTrue(all.contains("lines"), all.toString());
        assertTrue(!resources.contains("lines") && resources.contains("customers"), resources.toString());
    }

    @Test
    void twoPropertiesOnOneColumnIsAnErrorNamingBoth() {
        CompileException e = assertThrows(CompileException.class, () -> compile("""
                openapi: 3.0.3
                info: {title: t, version: "1"}
                paths: {}
                components:
                  schemas:
                    thing:
                      type: object
                      properties:
                        id: {type: string}
                        createdAt: {type: integer}
                        created_at: {type: integer}
                """));
        assertTrue(e.getMessage().contains("'createdAt'") && e.getMessage().contains("'created_at'"), e.getMessage());
        assertTrue(e.getMessage().contains("components.schemas.thing"), e.getMessage());
    }

    @Test
    void longNamesAreShortenedAndRemembered() {
        String longProp = "x".repeat(80);
        CompiledModel model = compile("""
                openapi: 3.0.3
                info: {title: t, version: "1"}
                paths: {}
                components:
                  schemas:
                    thing:
                      type: object
                      properties:
                        id: {type: string}
                        %s: {type: string}
                """.formatted(longProp));
        CompiledColumn c = model.table("things").orElseThrow().columns().get(1);
        assertEquals(longProp, c.originalName());
        assertTrue(c.name().getBytes(StandardCharsets.UTF_8).length <= 63);
        assertNull(model.table("things").orElseThrow().originalName());
    }

    @Test
    void stripeCompilesToTablesWithTheSeedsSpecialColumns() throws Exception {
        long t0 = System.nanoTime();
        ParsedSpec spec = PARSER.parse(Files.readAllBytes(SPECS.resolve("stripe-spec3-2022-04-07.json")));
        CompiledModel model = SchemaCompiler.compile(spec.openApi(), null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(model.tables().size() > 100, "tables: " + model.tables().size());
        CompiledTable customers = model.table("customers").orElseThrow();
        assertEquals("id", customers.columns().get(0).name());
        assertEquals("text", customers.column("id").orElseThrow().type());
        assertEquals("text", customers.column("object").orElseThrow().type());
        assertEquals("bigint", customers.column("created").orElseThrow().type());
        assertEquals("boolean", customers.column("livemode").orElseThrow().type());
        assertEquals("jsonb", customers.column("metadata").orElseThrow().type());
        assertEquals("text", customers.column("email").orElseThrow().type());
        assertEquals("text[]", customers.column("preferred_locales").orElseThrow().type());
        assertTrue(model.table("payment_intents").isPresent());
        assertTrue(model.table("subscription_items").isPresent());
        System.out.println("stripe: " + model.tables().size() + " tables, " + model.columnCount() + " columns in " + ms + " ms");
        // deterministic: a second compile gives the same model
        assertEquals(model, SchemaCompiler.compile(PARSER.parse(Files.readAllBytes(SPECS.resolve("stripe-spec3-2022-04-07.json"))).openApi(), null));
    }

    @Test
    void otherRealSpecsCompile() throws Exception {
        for (String file : List.of("github-api.github.com-v1.1.3.json", "slack-web-api-swagger2.json", "twilio-api-v2010.yaml")) {
            ParsedSpec spec = PARSER.parse(Files.readAllBytes(SPECS.resolve(file)));
            CompiledModel model = SchemaCompiler.compile(spec.openApi(), null);
            // Twilio's objects are keyed by "sid", not "id": they become tables all the same, with an added id key
            assertTrue(!model.tables().isEmpty(), file);
            System.out.println(file + ": " + model.tables().size() + " tables, " + spec.warnings().size() + " warnings");
        }
    }

    @Test
    void openApi31TypeArraysConstAndExamplesCompile() {
        CompiledModel model = compile("""
                openapi: 3.1.0
                info: {title: t, version: "1"}
                paths: {}
                components:
                  schemas:
                    invoice:
                      type: object
                      properties:
                        id: {type: [string]}
                        object: {const: invoice}
                        amount_due: {type: [integer, "null"], examples: [100, 200]}
                        total: {type: ["null", number]}
                        paid: {type: [boolean, "null"]}
                        memo: {type: [string, "null"], examples: ["thanks"]}
                        lines: {type: [array, "null"], items: {type: string}}
                        raw: {type: [object, "null"]}
                        either: {type: [string, integer]}
                        kind: {const: 3}
                        customer:
                          anyOf:
                            - {type: string}
                            - {$ref: '#/components/schemas/customer'}
                    customer:
                      type: [object, "null"]
                      properties:
                        id: {type: string}
                        email: {type: [string, "null"], examples: ["a@b.c"]}
                """);
        CompiledTable invoices = model.table("invoices").orElseThrow();
        assertEquals(List.of("id text", "object text", "amount_due bigint", "total numeric", "paid boolean", "memo text",
                        "lines text[]", "raw jsonb", "either jsonb", "kind bigint", "customer jsonb"),
                invoices.columns().stream().map(c -> c.name() + " " + c.type()).toList());
        assertTrue(invoices.columns().get(0).primaryKey());
        // a 3.1 object schema whose type array allows null is still an object: it becomes a table
        assertTrue(model.table("customers").isPresent(), model.tables().toString());
    }

    @Test
    void recommendedIndexesFollowTheSeedsPatterns() {
        CompiledModel model = compile("""
                openapi: 3.0.3
                info: {title: t, version: "1"}
                paths: {}
                components:
                  schemas:
                    customer:
                      type: object
                      properties:
                        id: {type: string}
                        email: {type: string}
                        created: {type: integer}
                        metadata: {type: object}
                        preferred_locales: {type: array, items: {type: string}}
                        name: {type: string}
                    charge:
                      type: object
                      properties:
                        id: {type: string}
                        customer: {type: string}
                        invoice_id: {type: string}
                        status: {type: string}
                        amount: {type: integer}
                        outcome: {type: object}
                        livemode: {type: boolean}
                    invoice:
                      type: object
                      properties:
                        id: {type: string}
                """);
        List<String> indexes = IndexAdvisor.recommend(model).stream()
                .map(i -> i.name() + " " + i.method() + " " + i.table() + "(" + String.join(",", i.columns()) + ")").toList();
        assertEquals(List.of(
                "idx_charges_customer btree charges(customer)",
                "idx_charges_invoice_id btree charges(invoice_id)",
                "idx_charges_status btree charges(status)",
                "idx_charges_outcome gin charges(outcome)",
                "idx_customers_email btree customers(email)",
                "idx_customers_created btree customers(created)",
                "idx_customers_metadata gin customers(metadata)",
                "idx_customers_preferred_locales gin customers(preferred_locales)"), indexes);
    }

    @Test
    void indexNamesStayUniqueAndShort() {
        String longName = "x".repeat(70);
        CompiledModel model = new CompiledModel(List.of(
                new CompiledTable("a", "a", null, List.of(new CompiledColumn("id", "text", false, true, "id", null),
                        new CompiledColumn("b_c", "jsonb", true, false, "b_c", null),
                        new CompiledColumn(longName.substring(0, 63), "jsonb", true, false, longName, longName))),
                new CompiledTable("a_b", "a_b", null, List.of(new CompiledColumn("id", "text", false, true, "id", null),
                        new CompiledColumn("c", "jsonb", true, false, "c", null)))));
        List<RecommendedIndex> indexes = IndexAdvisor.recommend(model);
        assertEquals(3, indexes.size());
        assertEquals(3, indexes.stream().map(RecommendedIndex::name).distinct().count(), indexes.toString());
        assertTrue(indexes.stream().allMatch(i -> i.name().getBytes(StandardCharsets.UTF_8).length <= 63), indexes.toString());
    }
}
