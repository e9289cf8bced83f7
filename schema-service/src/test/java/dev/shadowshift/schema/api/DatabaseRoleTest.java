package dev.shadowshift.schema.api;

import dev.shadowshift.testkit.DatabaseRoles.Service;
import dev.shadowshift.testkit.ServiceSessions;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TargetFixtures;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service logs in to PostgreSQL as shadowshift_schema (deploy/postgres/roles.sql), which only reads the target. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class DatabaseRoleTest {

    @Test
    void theServiceRunsAsItsRoleAndNoSessionIsASuperusers() throws Exception {
        ServiceSessions.assertRunsAs(Service.SCHEMA);
    }

    @Test
    void itsRoleReadsTheTargetsCatalogButCannotChangeIt() throws Exception {
        try (Connection owner = TargetFixtures.asOwner(); Statement s = owner.createStatement()) {
            s.execute("CREATE TABLE role_probe (id bigint PRIMARY KEY)");
        }
        try (Connection c = TargetFixtures.as(Service.SCHEMA); Statement s = c.createStatement()) {
            try (var rs = s.executeQuery("SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.role_probe'::regclass AND attnum > 0")) {
                assertTrue(rs.next() && rs.getInt(1) == 1, "the catalog is readable");
            }
            SQLException create = assertThrows(SQLException.class, () -> s.execute("CREATE TABLE public.intruder (id int)"));
            assertTrue(create.getMessage().contains("permission denied for schema public"), create.getMessage());
            SQLException alter = assertThrows(SQLException.class, () -> s.execute("ALTER TABLE public.role_probe ADD COLUMN x int"));
            assertTrue(alter.getMessage().contains("must be owner"), alter.getMessage());
            SQLException schema = assertThrows(SQLException.class, () -> s.execute("CREATE SCHEMA intruder"));
            assertTrue(schema.getMessage().contains("permission denied for database"), schema.getMessage());
        }
    }
}
