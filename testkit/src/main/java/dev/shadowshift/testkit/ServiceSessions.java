package dev.shadowshift.testkit;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the server says about the running service under test: who its sessions are (pg_stat_activity, read as the
 * superuser), so a test can show that it runs as its own role and never as a superuser.
 */
public final class ServiceSessions {

    /** One backend: its database, its role, whether that role is a superuser, its application_name. */
    public record Session(String database, String role, boolean superuser, String application) {
    }

    private ServiceSessions() {
    }

    /** The sessions on the app's state database and its target {@code main}, but the caller's own. */
    public static List<Session> onStateAndTarget() throws SQLException {
        Config config = ConfigProvider.getConfig();
        String state = database(config.getValue("quarkus.datasource.jdbc.url", String.class));
        String target = database(config.getValue("shadowshift.targets.main.jdbc-url", String.class));
        List<Session> out = new ArrayList<>();
        try (Connection c = Infrastructure.shared().postgres().connect("postgres");
             PreparedStatement ps = c.prepareStatement("""
                     SELECT a.datname, a.usename, r.rolsuper, a.application_name
                     FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
                     WHERE a.datname IN (?, ?) AND a.pid <> pg_backend_pid() ORDER BY 1, 2""")) {
            ps.setString(1, state);
            ps.setString(2, target);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Session(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    /**
     * The service's pooled sessions on its state database are all its role's (there is at least one: Flyway ran
     * through the pool at startup), Flyway installed its schema as that role, and no session on the state database
     * or the target is a superuser's.
     */
    public static void assertRunsAs(DatabaseRoles.Service service) throws SQLException {
        Config config = ConfigProvider.getConfig();
        String state = database(config.getValue("quarkus.datasource.jdbc.url", String.class));
        assertEquals(service.role(), config.getValue("quarkus.datasource.username", String.class));
        assertEquals(service.role(), config.getValue("shadowshift.targets.main.username", String.class));
        List<Session> sessions = onStateAndTarget();
        assertTrue(sessions.stream().anyMatch(s -> s.database().equals(state)), "no session on " + state + ": " + sessions);
        for (Session s : sessions) {
            assertFalse(s.superuser(), "a superuser session: " + s);
            if (s.database().equals(state)) {
                assertEquals(service.role(), s.role(), "a session on the state database: " + s);
            }
        }
        try (Connection c = Infrastructure.shared().postgres().connect(state);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT DISTINCT installed_by FROM flyway_schema_history WHERE installed_by IS NOT NULL")) {
            List<String> by = new ArrayList<>();
            while (rs.next()) {
                by.add(rs.getString(1));
            }
            assertEquals(List.of(service.role()), by, "Flyway ran as");
        }
    }

    static String database(String jdbcUrl) {
        String path = jdbcUrl.substring(jdbcUrl.lastIndexOf('/') + 1);
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }
}
