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

    @Test
    void aDirectoryDumpInAnExportedSnapshotRunsParallelJobsAndAWholeDatabaseDumpNamesNoTable() {
        List<String> command = PgCommands.dump("pg_dump", ENDPOINT, null,
                new DumpSettings(ArchiveFormat.DIRECTORY, java.util.OptionalInt.of(1), 4), "00000003-0000001B-1", Path.of("/b/x.dir"));
        assertTrue(command.containsAll(List.of("--format=directory", "--compress=1", "--jobs=4", "--snapshot=00000003-0000001B-1")));
        assertTrue(command.stream().noneMatch(a -> a.startsWith("--table") || a.equals("--strict-names")), command.toString());

        List<String> restore = PgCommands.restore("pg_restore", ENDPOINT, "ss_verify_x", Path.of("/b/x.dir"), 4, Path.of("/tmp/l"), true);
        assertTrue(restore.containsAll(List.of("--jobs=4", "--use-list=/tmp/l", "--no-privileges", "--dbname=ss_verify_x")));
        assertEquals("/b/x.dir", restore.get(restore.size() - 1));
    }

    @Test
    void aTableBackupsScratchRestoreLeavesOutForeignKeysOnly() {
        ArchiveToc toc = ArchiveToc.parse("""
                ;
                ; Archive created at 2026-01-01
                215; 1259 16390 TABLE shop orders postgres
                3340; 0 16390 TABLE DATA shop orders postgres
                3190; 2606 16401 CONSTRAINT shop orders orders_pkey postgres
                3191; 2606 16402 FK CONSTRAINT shop orders orders_customer_fkey postgres
                """);
        assertEquals(List.of("215; 1259 16390 TABLE shop orders postgres", "3340; 0 16390 TABLE DATA shop orders postgres",
                "3190; 2606 16401 CONSTRAINT shop orders orders_pkey postgres"), RestoreCheck.withoutForeignKeys(toc));
        String name = RestoreCheck.scratchName("5F0C-..-9d1e-ffff-0000-aaaa");
        assertTrue(name.matches("ss_verify_5f0c9d1effff_[0-9a-f]{8}"), name);
    }
}
