package dev.shadowshift.cli;

import dev.shadowshift.pg.cli.DatabaseUrl;
import picocli.CommandLine.Option;

import java.util.Map;

/**
 * The database to work on. The password never needs to be on the command line: it comes from the URL in
 * {@code $DATABASE_URL}, or from {@code $PGPASSWORD} when the URL has none (the way psql takes it).
 */
final class DatabaseOptions {

    @Option(names = "--existing-db", paramLabel = "URL",
            description = "jdbc:postgresql://host:port/db?user=.. or postgresql://user@host:port/db (default: $DATABASE_URL); "
                    + "the password from $PGPASSWORD, never needed here")
    String url;

    DatabaseUrl resolve(Map<String, String> env) {
        String value = url != null && !url.isBlank() ? url : env.get("DATABASE_URL");
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--existing-db=URL is required (or set DATABASE_URL): " + DatabaseUrl.EXPECTED);
        }
        DatabaseUrl db = DatabaseUrl.parse(value);
        String password = env.get("PGPASSWORD");
        if (db.password() == null && password != null && !password.isEmpty()) {
            db = new DatabaseUrl(db.jdbcUrl(), db.host(), db.port(), db.database(), db.user(), password);
        }
        return db;
    }
}
