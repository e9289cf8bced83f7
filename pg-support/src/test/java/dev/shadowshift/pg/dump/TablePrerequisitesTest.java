package dev.shadowshift.pg.dump;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TablePrerequisitesTest {

    @Test
    void aTableBackupGetsTheTypesFunctionsAndSequencesItLacksButNotWhatItHoldsOrOtherTables() {
        ArchiveToc live = ArchiveToc.parse("""
                10; 2615 16385 SCHEMA - shop postgres
                11; 3079 16386 EXTENSION - citext
                12; 1247 16390 TYPE shop mood postgres
                13; 1247 16391 DOMAIN shop positive postgres
                14; 1255 16392 FUNCTION shop next_code() postgres
                15; 1259 16393 SEQUENCE shop shared_seq postgres
                16; 1259 16394 TABLE shop customers postgres
                17; 1259 16395 SEQUENCE shop customers_id_seq postgres
                18; 0 0 SEQUENCE OWNED BY shop customers_id_seq postgres
                19; 1259 16396 TABLE shop orders postgres
                20; 2604 16397 DEFAULT shop customers id postgres
                21; 1259 16398 VIEW shop big_orders postgres
                """);
        ArchiveToc archive = ArchiveToc.parse("""
                216; 1259 16394 TABLE shop customers postgres
                217; 1259 16395 SEQUENCE shop customers_id_seq someone_else
                218; 0 0 SEQUENCE OWNED BY shop customers_id_seq postgres
                3300; 0 16394 TABLE DATA shop customers postgres
                """);
        assertEquals(List.of("11; 3079 16386 EXTENSION - citext", "12; 1247 16390 TYPE shop mood postgres",
                "13; 1247 16391 DOMAIN shop positive postgres", "14; 1255 16392 FUNCTION shop next_code() postgres",
                "15; 1259 16393 SEQUENCE shop shared_seq postgres"), TablePrerequisites.needed(live, archive));
    }

    @Test
    void descriptionsAreMatchedWhole() {
        assertEquals("SEQUENCE OWNED BY", TablePrerequisites.kind("18; 0 0 SEQUENCE OWNED BY shop s postgres"));
        assertEquals("OPERATOR CLASS", TablePrerequisites.kind("30; 2616 1 OPERATOR CLASS public c postgres"));
        assertEquals("TABLE", TablePrerequisites.kind("16; 1259 16394 TABLE shop customers postgres"));
        assertEquals("SEQUENCE shop customers_id_seq", TablePrerequisites.identity("17; 1259 16395 SEQUENCE shop customers_id_seq postgres"));
    }
}
