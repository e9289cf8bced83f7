package dev.shadowshift.monitor;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The test application's target database {@code main}, as its configuration names it. */
final class Target {

    private Target() {
    }

    static Connection connect() throws SQLException {
        Config c = ConfigProvider.getConfig();
        return DriverManager.getConnection(c.getValue("shadowshift.targets.main.jdbc-url", String.class),
                c.getValue("shadowshift.targets.main.username", String.class),
                c.getOptionalValue("shadowshift.targets.main.password", String.class).orElse(""));
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
