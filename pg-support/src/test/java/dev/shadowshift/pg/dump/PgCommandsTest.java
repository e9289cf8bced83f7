package dev.shadowshift.pg.dump;

import dev.shadowshift.pg.PgEndpoint;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PgCommandsTest {

    private static final PgEndpoint ENDPOINT = new PgEndpoint("db.internal", 5433, "app", "migrator", Optional.of("s3cret"));

    @Test
    void hostileTableNamesAreQuotedAndThePasswordStaysOffTheCommandLine() {
        List<String> command = PgCommands.dump("pg_dump", ENDPOINT,
                List.of(new TableName("shop", "customers"), new TableName("shop", "we\"ird.*")), Path.of("/b/x.dump"));

        assertTrue(command.contains("--table=\"shop\".\"customers\""));
        assertTrue(command.contains("--table=\"shop\".\"we\"\"ird.*\""));
        assertTrue(command.contains("--format=custom"));
        assertTrue(command.contains("--strict-names"));
        assertFalse(String.join(" ", command).contains("s3cret"));
        assertEquals("s3cret", PgCommands.environment(ENDPOINT).get("PGPASSWORD"));
    }

    @Test
    void planTableNamesSplitOnThePlansSchema() {
        assertEquals(new TableName("shop", "a.b"), TableName.parse("shop.a.b", "shop"));
        assertEquals(new TableName("public", "t"), TableName.parse("public.t", "shop"));
    }

    @Test
    void theTableOfContentsIsMatchedByWholeEntry() {
        ArchiveToc toc = ArchiveToc.parse("""
                ;
                ; Archive created at 2026-01-01 00:00:00 UTC
                ;
                215; 1259 16385 TABLE shop customers postgres
                3320; 0 16385 TABLE DATA shop customers postgres
                3321; 0 16390 TABLE DATA shop accounts x postgres
                """);
        assertEquals(3, toc.size());
        assertTrue(toc.hasData(new TableName("shop", "customers")));
        assertTrue(toc.hasData(new TableName("shop", "accounts x")));
        assertFalse(toc.hasData(new TableName("shop", "accounts")), "a prefix of another table's name is not that table");
    }
}
