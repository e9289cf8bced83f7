package dev.shadowshift.pg.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The {@code --existing-db} value, in either of the two spellings people have at hand:
 * {@code jdbc:postgresql://host:port/db?user=..&password=..} or {@code postgresql://user:password@host:port/db}
 * ({@code postgres://} too). The password goes into the driver's properties, never into the URL that is shown:
 * {@link #toString()} is {@code user@host:port/db}.
 *
 * @param jdbcUrl the URL given to the driver, without user and password
 */
public record DatabaseUrl(String jdbcUrl, String host, int port, String database, String user, String password) {

    public static final String EXPECTED = "expected jdbc:postgresql://host:port/db?user=..&password=.. or postgresql://user:password@host:port/db";

    public static DatabaseUrl parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--existing-db is missing: " + EXPECTED);
        }
        String v = value.trim();
        boolean jdbc = v.startsWith("jdbc:postgresql://");
        boolean libpq = v.startsWith("postgresql://") || v.startsWith("postgres://");
        if (!jdbc && !libpq) {
            // the value may hold a password: name the problem, never echo the value
            throw new IllegalArgumentException("--existing-db is not a PostgreSQL URL: " + EXPECTED);
        }
        URI uri;
        try {
            uri = new URI(jdbc ? v.substring("jdbc:".length()) : v);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--existing-db cannot be read as a URL (" + e.getReason() + " at index "
                    + e.getIndex() + "): " + EXPECTED);
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new IllegalArgumentException("--existing-db names no host: " + EXPECTED);
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        List<String> kept = new ArrayList<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                String[] kv = pair.split("=", 2);
                String val = kv.length > 1 ? decode(kv[1]) : "";
                if (kv[0].equals("user")) {
                    user = user == null ? val : user;
                } else if (kv[0].equals("password")) {
                    password = password == null ? val : password;
                } else {
                    kept.add(pair);
                }
            }
        }
        String path = uri.getRawPath();
        String database = path == null || path.length() <= 1 ? "postgres" : decode(path.substring(1));
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String host = uri.getHost();
        String jdbcUrl = "jdbc:postgresql://" + host + ":" + port + "/" + (path == null || path.length() <= 1 ? "postgres" : path.substring(1))
                + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new DatabaseUrl(jdbcUrl, host, port, database, user == null ? System.getProperty("user.name") : user, password);
    }

    /** The driver's properties: user and password, and timeouts so that an unreachable server fails in seconds. */
    public Properties properties() {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null && !password.isEmpty()) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", "10");
        p.setProperty("loginTimeout", "15");
        p.setProperty("ApplicationName", "shadowshift-cli");
        return p;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return user + "@" + host + ":" + port + "/" + database;
    }
}
