package dev.shadowshift.schema.compile;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NamesTest {

    @Test
    void tableNamesArePluralSnakeCase() {
        assertEquals("customers", Names.tableName("customer"));
        assertEquals("payment_intents", Names.tableName("payment_intent"));
        assertEquals("subscription_items", Names.tableName("subscription_item"));
        assertEquals("countries", Names.tableName("country"));
        assertEquals("keys", Names.tableName("key"));
        assertEquals("addresses", Names.tableName("address"));
        assertEquals("statuses", Names.tableName("status"));
        assertEquals("batches", Names.tableName("batch"));
        assertEquals("pushes", Names.tableName("push"));
        assertEquals("boxes", Names.tableName("box"));
        assertEquals("quizzes", Names.tableName("quiz"));
        assertEquals("customers", Names.tableName("customers"));
        assertEquals("tax_ids", Names.tableName("tax_id"));
        assertEquals("people", Names.tableName("person"));
    }

    @Test
    void kebabDottedAndCamelNamesBecomeSnakeCase() {
        assertEquals("gists_full", Names.tableName("gist-full"));
        assertEquals("api_v2010_account_calls", Names.tableName("api.v2010.account.call"));
        assertEquals("payment_intents", Names.tableName("PaymentIntent"));
        assertEquals("http_servers", Names.tableName("HTTPServer"));
        assertEquals("created_at", Names.columnName("createdAt"));
        assertEquals("created_at", Names.columnName("created-at"));
        assertEquals("email", Names.columnName("email"));
    }

    @Test
    void hostileCharactersAreKeptForQuoting() {
        assertEquals("a\";drop_table_x;", Names.columnName("a\";DROP TABLE x;--"));
        assertEquals("prénom", Names.columnName("prénom"));
    }

    @Test
    void uncountablesStayAsTheyAre() {
        // seen in Stripe: source_transaction_paper_check_data, not ..._datas
        assertEquals("source_transaction_paper_check_data", Names.tableName("source_transaction_paper_check_data"));
        assertEquals("metadata", Names.tableName("metadata"));
        assertEquals("shipping", Names.tableName("shipping"));
        assertEquals("series", Names.tableName("series"));
        assertEquals("news", Names.tableName("news"));
        assertEquals("feedback", Names.tableName("feedback"));
    }

    @Test
    void variantAdjectivesPluraliseTheNounBeforeThem() {
        // seen in GitHub: gist-full and gist-simple were gist_fulls and gist_simples
        assertEquals("gists_full", Names.tableName("gist-full"));
        assertEquals("gists_simple", Names.tableName("gist-simple"));
        assertEquals("repositories_full", Names.tableName("repository-full"));
        assertEquals("full_repositories", Names.tableName("full-repository"));
        assertEquals("integrations_minimal", Names.tableName("integrationMinimal"));
    }

    @Test
    void wordsEndingInAsUsIsTakeTheRightEnding() {
        assertEquals("aliases", Names.tableName("alias"));
        assertEquals("canvases", Names.tableName("canvas"));
        assertEquals("quotas", Names.tableName("quotas"));
        assertEquals("schemas", Names.tableName("schemas"));
        assertEquals("statuses", Names.tableName("status"));
        assertEquals("bonuses", Names.tableName("bonus"));
        assertEquals("menus", Names.tableName("menus"));
        assertEquals("code_scanning_analyses", Names.tableName("code-scanning-analysis"));
        assertEquals("bases", Names.tableName("basis"));
        assertEquals("axes", Names.tableName("axis"));
        assertEquals("apis", Names.tableName("apis"));
        assertEquals("emojis", Names.tableName("emojis"));
        assertEquals("masterpasses", Names.tableName("masterpass"));
    }

    @Test
    void irregularsInBothDirections() {
        assertEquals("people", Names.tableName("person"));
        assertEquals("people", Names.tableName("people"));
        assertEquals("children", Names.tableName("child"));
        assertEquals("team_members", Names.tableName("team_member"));
        assertEquals("women", Names.tableName("woman"));
        assertEquals("criteria", Names.tableName("criterion"));
        assertEquals("criteria", Names.tableName("criteria"));
        assertEquals("media", Names.tableName("medium"));
        assertEquals("leaves", Names.tableName("leaf"));
        assertEquals("heroes", Names.tableName("hero"));
        assertEquals("photos", Names.tableName("photo"));
        assertEquals("matrices", Names.tableName("matrix"));
        assertEquals("api_v2010", Names.tableName("api.v2010"));
    }
}
