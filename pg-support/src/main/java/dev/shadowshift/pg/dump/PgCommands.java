package dev.shadowshift.pg.dump;

import dev.shadowshift.pg.PgEndpoint;
import dev.shadowshift.pg.SqlIdentifiers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The pg_dump and pg_restore command lines, built as argument lists (no shell, so nothing is re-interpreted). */
public final class PgCommands {

    private PgCommands() {
    }

    /**
     * Each table becomes {@code --table="schema"."table"}: inside double quotes pg_dump's pattern characters
     * (*, ?, .) are literal, so a hostile name matches only itself. {@code --strict-names} makes a missing table an
     * error instead of a silently smaller dump.
     */
    public static List<String> dump(String pgDump, PgEndpoint endpoint, List<TableName> tables, Path file) {
        List<String> command = new ArrayList<>(List.of(pgDump, "--format=custom", "--no-password", "--strict-names",
                "--file=" + file, "--host=" + endpoint.host(), "--port=" + endpoint.port(),
                "--username=" + endpoint.user(), "--dbname=" + endpoint.database()));
        for (TableName t : tables) {
            command.add("--table=" + SqlIdentifiers.quote(t.schema()) + "." + SqlIdentifiers.quote(t.table()));
        }
        return command;
    }

    public static List<String> list(String pgRestore, Path file) {
        return List.of(pgRestore, "--list", file.toString());
    }

    public static List<String> restore(String pgRestore, PgEndpoint endpoint, String database, Path file) {
        return List.of(pgRestore, "--no-owner", "--exit-on-error", "--no-password", "--host=" + endpoint.host(),
                "--port=" + endpoint.port(), "--username=" + endpoint.user(), "--dbname=" + database, file.toString());
    }

    /** The password goes to the child process's environment, never onto its command line or into a log. */
    public static Map<String, String> environment(PgEndpoint endpoint) {
        Map<String, String> env = new HashMap<>();
        endpoint.password().ifPresent(p -> env.put("PGPASSWORD", p));
        env.put("PGCONNECT_TIMEOUT", "10");
        env.put("PGAPPNAME", "shadowshift-backup");
        return env;
    }
}
