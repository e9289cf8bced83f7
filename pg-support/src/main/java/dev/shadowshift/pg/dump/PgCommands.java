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

    /** A custom-format dump of exactly these tables, in a snapshot of pg_dump's own. */
    public static List<String> dump(String pgDump, PgEndpoint endpoint, List<TableName> tables, Path file) {
        return dump(pgDump, endpoint, tables, DumpSettings.DEFAULT, null, file);
    }

    /**
     * Each table becomes {@code --table="schema"."table"}: inside double quotes pg_dump's pattern characters
     * (*, ?, .) are literal, so a hostile name matches only itself. {@code --strict-names} makes a missing table an
     * error instead of a silently smaller dump.
     *
     * @param tables   null for the whole database
     * @param snapshot a snapshot exported by a transaction that stays open until pg_dump is done, or null
     */
    public static List<String> dump(String pgDump, PgEndpoint endpoint, List<TableName> tables, DumpSettings settings,
                                    String snapshot, Path out) {
        List<String> command = new ArrayList<>(List.of(pgDump, "--format=" + settings.format().pgName(), "--no-password",
                "--file=" + out, "--host=" + endpoint.host(), "--port=" + endpoint.port(),
                "--username=" + endpoint.user(), "--dbname=" + endpoint.database()));
        settings.compression().ifPresent(level -> command.add("--compress=" + level));
        if (settings.jobs() > 1) {
            command.add("--jobs=" + settings.jobs());
        }
        if (snapshot != null) {
            command.add("--snapshot=" + snapshot);
        }
        if (tables != null) {
            command.add("--strict-names");
            for (TableName t : tables) {
                command.add("--table=" + SqlIdentifiers.quote(t.schema()) + "." + SqlIdentifiers.quote(t.table()));
            }
        }
        return command;
    }

    public static List<String> list(String pgRestore, Path file) {
        return List.of(pgRestore, "--list", file.toString());
    }

    public static List<String> restore(String pgRestore, PgEndpoint endpoint, String database, Path file) {
        return restore(pgRestore, endpoint, database, file, 1, null, false);
    }

    /**
     * @param jobs         parallel pg_restore jobs (1 for one)
     * @param useList      a table of contents (pg_restore --list's output, edited) naming the entries to restore, or null for all
     * @param noPrivileges skip GRANTs: a scratch database needs the data, not the live roles' rights
     */
    public static List<String> restore(String pgRestore, PgEndpoint endpoint, String database, Path archive, int jobs,
                                       Path useList, boolean noPrivileges) {
        List<String> command = new ArrayList<>(List.of(pgRestore, "--no-owner", "--exit-on-error", "--no-password",
                "--host=" + endpoint.host(), "--port=" + endpoint.port(), "--username=" + endpoint.user(),
                "--dbname=" + database));
        if (noPrivileges) {
            command.add("--no-privileges");
        }
        if (jobs > 1) {
            command.add("--jobs=" + jobs);
        }
        if (useList != null) {
            command.add("--use-list=" + useList);
        }
        command.add(archive.toString());
        return command;
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
