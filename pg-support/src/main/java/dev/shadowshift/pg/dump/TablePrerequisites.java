package dev.shadowshift.pg.dump;

import dev.shadowshift.pg.PgEndpoint;
import dev.shadowshift.pg.SqlIdentifiers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a table backup's tables may need in an empty database and do not carry: pg_dump --table leaves out the types,
 * domains, functions, sequences, collations and extensions its columns, defaults and checks use. Before a table backup
 * is restored, these come from the live target's pre-data schema into the database restored into, minus whatever
 * the archive holds itself, and every schema of the target is created. Best effort: what does not restore (an
 * extension the role may not create, an object that exists already) is skipped, since the archive's own restore is
 * what decides.
 */
final class TablePrerequisites {

    /** pg_restore --list's descriptions of the objects copied; "SEQUENCE OWNED BY" and "SEQUENCE SET" are not among them. */
    private static final Set<String> KINDS = Set.of("EXTENSION", "SHELL TYPE", "TYPE", "DOMAIN", "FUNCTION", "PROCEDURE", "AGGREGATE",
            "COLLATION", "SEQUENCE", "CAST", "OPERATOR", "OPERATOR CLASS", "OPERATOR FAMILY", "CONVERSION", "TEXT SEARCH CONFIGURATION",
            "TEXT SEARCH DICTIONARY", "TEXT SEARCH PARSER", "TEXT SEARCH TEMPLATE");
    private static final Pattern ENTRY = Pattern.compile("^\\d+; \\d+ \\d+ (.*)$");

    private TablePrerequisites() {
    }

    /** @return null when everything was copied, otherwise what was not (the caller restores the archive all the same) */
    static String copy(TableDump.Tools tools, PgEndpoint live, String database, ArchiveToc archive) throws InterruptedException {
        Path dump = null;
        Path list = null;
        try {
            createSchemas(live, database);
            dump = Files.createTempFile("shadowshift-prerequisites", ".dump");
            ProcessRunner.Result schema = ProcessRunner.run(List.of(tools.pgDump(), "--schema-only", "--section=pre-data", "--format=custom",
                    "--no-password", "--file=" + dump, "--host=" + live.host(), "--port=" + live.port(), "--username=" + live.user(),
                    "--dbname=" + live.database()), PgCommands.environment(live), tools.timeout());
            if (!schema.ok()) {
                return "the target's schema could not be read: " + schema.firstErrorLine();
            }
            ProcessRunner.Result toc = ProcessRunner.run(PgCommands.list(tools.pgRestore(), dump), Map.of(), tools.timeout());
            if (!toc.ok()) {
                return "the target's schema could not be listed: " + toc.firstErrorLine();
            }
            List<String> keep = needed(ArchiveToc.parse(toc.stdout()), archive);
            if (keep.isEmpty()) {
                return null;
            }
            list = Files.createTempFile("shadowshift-prerequisites", ".list");
            Files.writeString(list, String.join("\n", keep) + "\n", StandardCharsets.UTF_8);
            ProcessRunner.Result restore = ProcessRunner.run(List.of(tools.pgRestore(), "--no-owner", "--no-privileges", "--no-password",
                    "--host=" + live.host(), "--port=" + live.port(), "--username=" + live.user(), "--dbname=" + database,
                    "--use-list=" + list, dump.toString()), PgCommands.environment(live), tools.timeout());
            return restore.ok() ? null : "some of the target's types, functions or sequences did not restore: " + restore.firstErrorLine();
        } catch (IOException | SQLException e) {
            return "the target's types, functions and sequences could not be copied: " + e.getMessage();
        } finally {
            for (Path p : new Path[] {dump, list}) {
                if (p != null) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        // a temporary file; the OS cleans its temp directory
                    }
                }
            }
        }
    }

    /** The live schema's entries of the kinds above that the archive does not hold itself (an owned sequence, say). */
    static List<String> needed(ArchiveToc live, ArchiveToc archive) {
        Set<String> own = archive.entries().stream().map(TablePrerequisites::identity).collect(Collectors.toSet());
        List<String> keep = new ArrayList<>();
        for (String entry : live.entries()) {
            if (KINDS.contains(kind(entry)) && !own.contains(identity(entry))) {
                keep.add(entry);
            }
        }
        return keep;
    }

    /** The entry's description ("TYPE", "SEQUENCE OWNED BY", ...): the longest known one it starts with. */
    static String kind(String entry) {
        Matcher m = ENTRY.matcher(entry);
        if (!m.matches()) {
            return "";
        }
        String rest = m.group(1);
        if (rest.startsWith("SEQUENCE OWNED BY ")) {
            return "SEQUENCE OWNED BY";
        }
        if (rest.startsWith("SEQUENCE SET ")) {
            return "SEQUENCE SET";
        }
        return KINDS.stream().filter(k -> rest.startsWith(k + " ")).max((a, b) -> Integer.compare(a.length(), b.length()))
                .orElse(rest.split(" ")[0]);
    }

    /** What the entry is, without its dump id, catalog oids and owner: the same object in two archives has the same one. */
    static String identity(String entry) {
        Matcher m = ENTRY.matcher(entry);
        String rest = m.matches() ? m.group(1) : entry;
        int owner = rest.lastIndexOf(' ');
        return owner < 0 ? rest : rest.substring(0, owner);
    }

    private static void createSchemas(PgEndpoint live, String database) throws SQLException {
        List<String> schemas = new ArrayList<>();
        try (Connection c = live.connect(live.database()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' "
                     + "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = pg_namespace.oid "
                     + "AND d.deptype = 'e')")) {
            while (rs.next()) {
                schemas.add(rs.getString(1));
            }
        }
        try (Connection c = live.connect(database); Statement s = c.createStatement()) {
            for (String schema : schemas) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + SqlIdentifiers.quote(schema));
            }
        }
    }
}
