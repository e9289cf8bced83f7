package dev.shadowshift.cli;

import dev.shadowshift.pg.cli.DatabaseUrl;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The database to work on. The password is never on the command line, where {@code ps} shows it to everyone on the
 * machine: it comes from the URL in {@code $DATABASE_URL}, from {@code --password-file}, or from {@code $PGPASSWORD}
 * (the way psql takes it). A password inside {@code --existing-db} still works but draws a warning.
 */
final class DatabaseOptions {

    @Option(names = "--existing-db", paramLabel = "URL",
            description = "jdbc:postgresql://host:port/db?user=.. or postgresql://user@host:port/db (default: $DATABASE_URL); "
                    + "no password here: it comes from --password-file or $PGPASSWORD")
    String url;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "a file whose first line is the database password (default: $PGPASSWORD)")
    Path passwordFile;

    DatabaseUrl resolve(Map<String, String> env) {
        boolean fromArgs = url != null && !url.isBlank();
        String value = fromArgs ? url : env.get("DATABASE_URL");
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--existing-db=URL is required (or set DATABASE_URL): " + DatabaseUrl.EXPECTED);
        }
        DatabaseUrl db = DatabaseUrl.parse(value);
        if (fromArgs && db.password() != null) {
            // still taken, for scripts written before --password-file; the warning names no part of it
            System.err.println("shadowshift: warning: a password in --existing-db shows in ps to everyone on this machine; "
                    + "use --password-file or $PGPASSWORD");
        }
        String password = passwordFile != null ? readPassword(passwordFile) : env.get("PGPASSWORD");
        if (db.password() == null && password != null && !password.isEmpty()) {
            db = new DatabaseUrl(db.jdbcUrl(), db.host(), db.port(), db.database(), db.user(), password);
        }
        return db;
    }

    private static String readPassword(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            return (end < 0 ? text : text.substring(0, end)).replace("\r", "");
        } catch (IOException e) {
            throw new IllegalArgumentException("--password-file: cannot read " + file + ": " + e.getMessage());
        }
    }
}
