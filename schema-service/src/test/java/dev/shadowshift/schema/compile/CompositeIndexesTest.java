package dev.shadowshift.schema.compile;

import dev.shadowshift.schema.diff.Ddl;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.shadowshift.schema.compile.TableNamingTest.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed's composite patterns: foreign key + timestamp, status + timestamp, tenant + id. */
class CompositeIndexesTest {

    static List<String> indexes(String schemas) {
        CompiledModel model = SchemaCompiler.compile(SchemaCompilerTest.parse(spec(schemas)).openApi(), null);
        return IndexAdvisor.recommend(model).stream().map(i -> i.name() + " " + (i.unique() ? "unique " : "") + i.method() + " "
                + i.table() + "(" + String.join(",", i.columns()) + ")").toList();
    }

    @Test
    void theSeedsExamplesGetTheirCompositesWhichReplaceTheSingleIndexOnTheirFirstColumn() {
        // the seed's payment_intents(customer, created) and subscriptions(status, created), with string ids as its
        // WHERE customer = $1 ORDER BY created DESC example reads them
        assertEquals(List.of(
                "idx_customers_created btree customers(created)",
                "idx_customers_email btree customers(email)",
                "idx_payment_intents_customer_created btree payment_intents(customer,created)",
                "idx_payment_intents_created btree payment_intents(created)",
                "idx_payment_intents_status_created btree payment_intents(status,created)",
                "idx_payment_intents_metadata gin payment_intents(metadata)",
                "idx_subscriptions_status_created btree subscriptions(status,created)",
                "idx_subscriptions_customer_created btree subscriptions(customer,created)",
                "idx_subscriptions_created btree subscriptions(created)"), indexes("""
                customer:
                  type: object
                  properties: {id: {type: string}, created: {type: integer}, email: {type: string}}
                payment_intent:
                  type: object
                  properties: {id: {type: string}, customer: {type: string}, amount: {type: integer}, created: {type: integer, format: unix-time}, status: {type: string}, metadata: {type: object}}
                subscription:
                  type: object
                  properties: {id: {type: string}, status: {type: string, enum: [active, canceled]}, customer: {type: string}, created: {type: integer}}
                """));
    }

    @Test
    void withoutCreatedTheSingleIndexesStay() {
        assertEquals(List.of(
                "idx_charges_customer btree charges(customer)",
                "idx_charges_status btree charges(status)",
                "idx_charges_updated btree charges(updated)"), indexes("""
                customer:
                  type: object
                  properties: {id: {type: string}}
                charge:
                  type: object
                  properties: {id: {type: string}, customer: {type: string}, status: {type: string}, updated: {type: integer}, created_at: {type: string, format: date-time}}
                """));
    }

    @Test
    void aTenantColumnLeadsAUniqueIndexWithTheKey() {
        List<String> got = indexes("""
                call:
                  type: object
                  properties: {sid: {type: string}, account_sid: {type: string}, date_created: {type: string}}
                repo:
                  type: object
                  properties: {id: {type: integer}, organization_id: {type: integer}, tenant: {type: string}}
                account:
                  type: object
                  properties: {id: {type: string}, created: {type: integer}}
                person:
                  type: object
                  properties: {id: {type: string}, account: {type: string}, created: {type: integer}}
                note:
                  type: object
                  properties: {id: {type: string}, workspace_id: {type: string}, organization: {type: object}}
                """);
        assertEquals(List.of(
                "idx_accounts_created btree accounts(created)",
                "idx_calls_account_sid_id unique btree calls(account_sid,id)",
                "idx_notes_workspace_id_id unique btree notes(workspace_id,id)",
                "idx_notes_organization gin notes(organization)",
                // a tenant column that also references a table with created: the foreign key + time pattern wins
                "idx_people_account_created btree people(account,created)",
                "idx_people_created btree people(created)",
                "idx_repos_organization_id_id unique btree repos(organization_id,id)",
                "idx_repos_tenant_id unique btree repos(tenant,id)"), got);
    }

    @Test
    void expandableReferencesAndAmountsGetNoComposite() {
        // Stripe's charge.customer is either the id or the whole customer: jsonb, GIN, never a B-tree; a bigint
        // named like a table (customers.balance, there being a balances table) is an amount, not a reference
        assertEquals(List.of(
                "idx_charges_customer gin charges(customer)",
                "idx_charges_created btree charges(created)",
                "idx_customers_created btree customers(created)"), indexes("""
                customer:
                  type: object
                  properties: {id: {type: string}, balance: {type: integer}, created: {type: integer}}
                balance:
                  type: object
                  properties: {object: {type: string}}
                charge:
                  type: object
                  properties: {id: {type: string}, customer: {anyOf: [{type: string}, {$ref: '#/components/schemas/customer'}]}, created: {type: integer}}
                """));
    }

    @Test
    void compositesAreRenderedConcurrentlyAndTheUniqueOnesAsUnique() {
        RecommendedIndex tenant = new RecommendedIndex("calls", "idx_calls_account_sid_id", "btree", List.of("account_sid", "id"),
                true, "tenant + id");
        assertEquals("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"idx_calls_account_sid_id\" ON \"twilio\".\"calls\" "
                + "USING btree (\"account_sid\", \"id\")", Ddl.createIndex("twilio", tenant));
        RecommendedIndex time = new RecommendedIndex("payment_intents", "idx_payment_intents_customer_created", "btree",
                List.of("customer", "created"), false, "foreign key + time");
        assertEquals("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"idx_payment_intents_customer_created\" ON \"stripe\".\"payment_intents\" "
                + "USING btree (\"customer\", \"created\")", Ddl.createIndex("stripe", time));
    }

    @Test
    void theCompilerDecidesIndexesWithoutTheDiffer() throws IOException {
        // the advisor used to import Ddl and Ddl the advisor; now names and decisions live here
        try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/shadowshift/schema/compile"))) {
            for (Path f : files.toList()) {
                assertFalse(Files.readString(f).contains("schema.diff"), f + " refers to the differ");
            }
        }
        // and the SQL is the worker's operations' own: Ddl only hands them the typed changes
        assertTrue(Files.readString(Path.of("src/main/java/dev/shadowshift/schema/diff/Ddl.java")).contains("Operation.of("));
    }
}
