package dev.shadowshift.testkit;

import dev.shadowshift.testkit.DatabaseRoles.Service;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The roles of deploy/postgres/roles.sql on the test server, and the fresh databases as a deployment has them. */
class DatabaseRolesTest {

    @Test
    void rolesSqlParsesIntoServerStateAndTargetStatements() {
        var statements = DatabaseRoles.parse(DatabaseRoles.bundled());
        assertEquals(4, statements.stream().filter(s -> s.text().startsWith("CREATE ROLE ")).count(), statements.toString());
        for (Service s : Service.values()) {
            assertTrue(statements.stream().anyMatch(x -> s.role().equals(x.database()) && x.text().contains("OWNER TO " + s.role())),
                    s + " owns its state database");
        }
        assertTrue(statements.stream().anyMatch(x -> x.inTarget() && x.text().contains("pg_replication_origin_session_setup")));
    }

    @Test
    void eachServiceLogsInAsItsOwnRoleOnItsOwnStateDatabase() throws Exception {
        Infrastructure infra = Infrastructure.shared();
        PostgresServer pg = infra.postgres();
        for (Service s : Service.values()) {
            String state = infra.freshStateDatabase(s);
            try (Connection c = DatabaseRoles.connect(s, pg.jdbcUrl(state)); Statement st = c.createStatement()) {
                assertEquals(s.role(), one(st, "SELECT current_user"));
                assertEquals("false", one(st, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"));
                // Flyway creates its tables there
                st.execute("CREATE TABLE flyway_probe (id int)");
            }
            Service other = s == Service.SCHEMA ? Service.MONITOR : Service.SCHEMA;
            SQLException refused = assertThrows(SQLException.class, () -> DatabaseRoles.connect(other, pg.jdbcUrl(state)).close());
            assertTrue(refused.getMessage().contains("permission denied"), refused.getMessage());
        }
    }

    @Test
    void theTargetIsTheMigrationRolesAndTheOthersReadWhatTheirWorkNeeds() throws Exception {
        Infrastructure infra = Infrastructure.shared();
        String target = infra.freshTargetDatabase();
        String url = infra.postgres().jdbcUrl(target);
        try (Connection c = DatabaseRoles.connect(Service.MIGRATION, url); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA shop");
            st.execute("CREATE TABLE shop.orders (id bigserial PRIMARY KEY, total numeric)");
            st.execute("INSERT INTO shop.orders (total) VALUES (1), (2)");
            st.execute("SELECT pg_replication_origin_create('probe')");
            st.execute("SELECT pg_replication_origin_drop('probe')");
        }
        try (Connection c = DatabaseRoles.connect(Service.SCHEMA, url); Statement st = c.createStatement()) {
            assertEquals("1", one(st, "SELECT count(*) FROM pg_class WHERE relname = 'orders'"), "the catalog is readable");
            SQLException e = assertThrows(SQLException.class, () -> st.execute("CREATE TABLE public.intruder (id int)"));
            assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
            assertThrows(SQLException.class, () -> st.execute("SELECT * FROM shop.orders"));
        }
        try (Connection c = DatabaseRoles.connect(Service.BACKUP, url); Statement st = c.createStatement()) {
            assertEquals("2", one(st, "SELECT count(*) FROM shop.orders"));
            assertThrows(SQLException.class, () -> st.execute("DELETE FROM shop.orders"));
        }
        try (Connection c = DatabaseRoles.connect(Service.MONITOR, url); Statement st = c.createStatement()) {
            assertEquals("2", one(st, "SELECT last_value FROM pg_sequences WHERE sequencename = 'orders_id_seq'"),
                    "sequence_exhaustion sees the sequences' values");
            assertThrows(SQLException.class, () -> st.execute("SELECT * FROM shop.orders"));
        }
    }

    @Test
    void noServiceRoleIsASuperuser() throws Exception {
        Infrastructure infra = Infrastructure.shared();
        infra.roles();
        try (Connection c = infra.postgres().connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT rolname, rolsuper, rolreplication, rolcreatedb, rolcreaterole, rolbypassrls "
                     + "FROM pg_roles WHERE rolname LIKE 'shadowshift\\_%' ORDER BY 1")) {
            int n = 0;
            while (rs.next()) {
                n++;
                String role = rs.getString(1);
                assertFalse(rs.getBoolean(2), role + " is no superuser");
                assertEquals(role.equals("shadowshift_migration"), rs.getBoolean(3), role + " REPLICATION");
                assertEquals(role.equals("shadowshift_backup"), rs.getBoolean(4), role + " CREATEDB");
                assertFalse(rs.getBoolean(5), role + " CREATEROLE");
                assertFalse(rs.getBoolean(6), role + " BYPASSRLS");
            }
            assertEquals(4, n);
        }
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }
}
