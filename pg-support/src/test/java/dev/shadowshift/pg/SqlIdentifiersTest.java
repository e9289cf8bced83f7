package dev.shadowshift.pg;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqlIdentifiersTest {

    @Test
    void quotesReservedWordsAndDoublesEmbeddedQuotes() {
        assertEquals("\"select\"", SqlIdentifiers.quote("select"));
        assertEquals("\"a\"\"; DROP TABLE x; --\"", SqlIdentifiers.quote("a\"; DROP TABLE x; --"));
        assertEquals("\"stripe\".\"customers\"", SqlIdentifiers.qualified("stripe", "customers"));
    }

    @Test
    void rejectsEmptyAndNul() {
        assertThrows(IllegalArgumentException.class, () -> SqlIdentifiers.quote(""));
        assertThrows(IllegalArgumentException.class, () -> SqlIdentifiers.quote("a\0b"));
    }

    @Test
    void shortensLongNamesDeterministicallyWithinSixtyThreeBytes() {
        String longName = "payment_method_options_customer_balance_bank_transfer_eu_bank_transfer_country";
        String a = SqlIdentifiers.shorten(longName);
        assertEquals(a, SqlIdentifiers.shorten(longName));
        assertTrue(a.getBytes(StandardCharsets.UTF_8).length <= 63, a);
        assertNotEquals(a, SqlIdentifiers.shorten(longName + "_x"));
        assertEquals("short", SqlIdentifiers.shorten("short"));
    }

    @Test
    void shortensMultiByteNamesWithoutSplittingACharacter() {
        String name = "ü".repeat(40);
        String s = SqlIdentifiers.shorten(name);
        assertTrue(s.getBytes(StandardCharsets.UTF_8).length <= 63);
        assertTrue(s.startsWith("üüü"));
    }

    @Test
    void aSuffixStaysWholeWhenTheBaseIsCut() {
        assertEquals("orders_ss_old_0123abcd", SqlIdentifiers.withSuffix("orders", "_ss_old_0123abcd"));
        String longName = "payment_method_details_card_present_offline_receipts_and_more";
        String a = SqlIdentifiers.withSuffix(longName, "_ss_old_0123abcd");
        String b = SqlIdentifiers.withSuffix(longName + "x", "_ss_old_0123abcd");
        assertTrue(a.getBytes(StandardCharsets.UTF_8).length <= 63, a);
        assertTrue(a.endsWith("_ss_old_0123abcd") && a.startsWith("payment_method"), a);
        assertTrue(java.util.regex.Pattern.compile(CatalogReader.WORKING_TABLE_PATTERN).matcher(a).find(), a);
        assertTrue(!a.equals(b), "two long bases that share a prefix stay apart");
        String multiByte = SqlIdentifiers.withSuffix("ü".repeat(40), "_ss_new_0123abcd");
        assertTrue(multiByte.getBytes(StandardCharsets.UTF_8).length <= 63 && multiByte.endsWith("_ss_new_0123abcd"), multiByte);
    }

    @Test
    void parsesJdbcUrls() {
        PgEndpoint e = PgEndpoint.parse("jdbc:postgresql://db.example:6543/shop?user=app&password=s%40cret",
                Optional.empty(), Optional.empty());
        assertEquals("db.example", e.host());
        assertEquals(6543, e.port());
        assertEquals("shop", e.database());
        assertEquals("app", e.user());
        assertEquals("s@cret", e.password().orElseThrow());
        assertTrue(!e.toString().contains("cret"), "toString must not reveal the password");
    }
}
