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
        assertEquals("quizes", Names.tableName("quiz"));
        assertEquals("customers", Names.tableName("customers"));
        assertEquals("tax_ids", Names.tableName("tax_id"));
        assertEquals("people", Names.tableName("person"));
    }

    @Test
    void kebabDottedAndCamelNamesBecomeSnakeCase() {
        assertEquals("gist_fulls", Names.tableName("gist-full"));
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
}
