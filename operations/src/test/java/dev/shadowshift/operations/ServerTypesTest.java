package dev.shadowshift.operations;

import dev.shadowshift.testkit.Infrastructure;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The server, not a regex, decides what a type name is and how it is spelled. Against a real PostgreSQL. */
class ServerTypesTest {

    @Test
    void typeNamesAreCheckedAndSpelledByTheServer() throws Exception {
        Infrastructure infra = Infrastructure.shared();
        try (Connection c = infra.postgres().connect(infra.freshDatabase("types"))) {
            assertEquals(Optional.of("bigint"), ServerTypes.canonical(c, "int8"));
            assertEquals(Optional.of("numeric(12,2)"), ServerTypes.canonical(c, "numeric(12,2)"));
            assertEquals(Optional.of("character varying(20)[]"), ServerTypes.canonical(c, "varchar(20)[]"));
            assertEquals(Optional.of("timestamp(3) with time zone"), ServerTypes.canonical(c, "timestamp(3) with time zone"));
            assertEquals(Optional.of("text[]"), ServerTypes.canonical(c, "text[]"));
            assertEquals(Optional.empty(), ServerTypes.canonical(c, "nosuchtype"));
            assertEquals(Optional.empty(), ServerTypes.canonical(c, "text; DROP TABLE x"));
            assertEquals(Optional.empty(), ServerTypes.canonical(c, "text) DEFAULT pg_sleep(10"));
            assertEquals(Optional.empty(), ServerTypes.canonical(c, "numeric(2000)"));
            assertEquals(Optional.of("0"), ServerTypes.cast(c, "0", "bigint"));
            assertEquals(Optional.empty(), ServerTypes.cast(c, "0); DROP TABLE x; --", "bigint"));
        }
    }
}
