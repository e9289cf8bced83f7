package dev.shadowshift.monitor;

import dev.shadowshift.testkit.DatabaseRoles;
import dev.shadowshift.testkit.TargetFixtures;
import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/** The test application's target database {@code main}, as its configuration names it. */
final class Target {

    private Target() {
    }

    /** As the target's owner in a deployment (migration-worker's role): the tests' tables and sessions. */
    static Connection connect() throws SQLException {
        return TargetFixtures.asOwner();
    }

    /** A session as migration-worker's own sessions are: its role, application_name {@code shadowshift}. */
    static Connection asWorker() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", DatabaseRoles.Service.MIGRATION.role());
        p.setProperty("password", DatabaseRoles.password(DatabaseRoles.Service.MIGRATION));
        p.setProperty("ApplicationName", "shadowshift");
        return DriverManager.getConnection(ConfigProvider.getConfig().getValue("shadowshift.targets.main.jdbc-url", String.class), p);
    }

    /** What a deployment's init script does as a superuser before the monitor starts, e.g. CREATE EXTENSION. */
    static void asSuperuser(String... statements) throws SQLException {
        try (Connection c = TargetFixtures.asSuperuser(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** The database name, the {@code database} label of the app's own alerts for {@code main}. */
    static String database() {
        String url = ConfigProvider.getConfig().getValue("shadowshift.targets.main.jdbc-url", String.class);
        String path = url.substring(url.lastIndexOf('/') + 1);
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    static void sql(String... statements) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}
