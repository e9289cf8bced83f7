package dev.shadowshift.pg;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;

/** Where a database is, in the terms the PostgreSQL command-line tools take. */
public record PgEndpoint(String host, int port, String database, String user, Optional<String> password) {

    /** Reads {@code jdbc:postgresql://host[:port]/database[?user=..&password=..]}. */
    public static PgEndpoint parse(String jdbcUrl, Optional<String> username, Optional<String> password) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL (expected jdbc:postgresql://host:port/db)");
        }
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        String user = username.orElse(null);
        String pass = password.orElse(null);
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                String value = kv.length > 1 ? java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8) : "";
                if (kv[0].equals("user") && user == null) {
                    user = value;
                } else if (kv[0].equals("password") && pass == null) {
                    pass = value;
                }
            }
        }
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        return new PgEndpoint(uri.getHost() == null ? "localhost" : uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
                db, user == null ? System.getProperty("user.name") : user, Optional.ofNullable(pass));
    }

    public String jdbcUrl(String otherDatabase) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + otherDatabase;
    }

    /** A connection to this endpoint's server, to {@code otherDatabase} on it (the endpoint's own database, or a scratch one). */
    public Connection connect(String otherDatabase) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        password.ifPresent(p -> props.setProperty("password", p));
        props.setProperty("ApplicationName", "shadowshift");
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(jdbcUrl(otherDatabase), props);
    }

    /**
     * A replication connection to this endpoint's database (logical decoding's walsender protocol): for creating a
     * replication slot with an exported snapshot. The role needs the REPLICATION attribute.
     */
    public Connection replicationConnect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        password.ifPresent(p -> props.setProperty("password", p));
        props.setProperty("ApplicationName", "shadowshift");
        props.setProperty("connectTimeout", "10");
        props.setProperty("replication", "database");
        props.setProperty("assumeMinServerVersion", "10");
        props.setProperty("preferQueryMode", "simple");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    @Override
    public String toString() {
        return user + "@" + host + ":" + port + "/" + database;
    }
}
