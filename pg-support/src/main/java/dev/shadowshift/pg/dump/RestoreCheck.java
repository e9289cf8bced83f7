package dev.shadowshift.pg.dump;

import dev.shadowshift.pg.PgEndpoint;
import dev.shadowshift.pg.SqlIdentifiers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Proves that an archive restores: its digest is the one recorded when it was made, pg_restore reads its table of
 * contents, and a restore into a scratch database, created for the check on the target's server and dropped after
 * it, holds exactly the rows counted at dump time, table by table.
 *
 * <p>A table backup holds its tables, not what they refer to, so its scratch restore leaves out foreign keys (the
 * tables they point to are not in the archive) and creates the tables' schemas first. A verdict of
 * {@link Verdict#NOT_RUN} means the check itself could not run (no CREATEDB, the server unreachable): that says
 * nothing about the archive.
 */
public final class RestoreCheck {

    /** Scratch databases are named {@code ss_verify_<backup>_<random>}; leftovers of a crash are swept by this prefix. */
    public static final String SCRATCH_PREFIX = "ss_verify_";

    public enum Verdict { VERIFIED, CORRUPT, NOT_RUN }

    /** @param restored the rows found in the scratch restore, for the tables it got to */
    public record Result(Verdict verdict, String reason, List<TableRows> restored) {
        static Result corrupt(String reason, List<TableRows> restored) {
            return new Result(Verdict.CORRUPT, reason, restored);
        }

        static Result notRun(String reason) {
            return new Result(Verdict.NOT_RUN, reason, List.of());
        }
    }

    /** What the archive should be: its recorded digest, and the rows counted when it was made. */
    public record Expected(String sha256, List<TableRows> rows, boolean wholeDatabase) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private RestoreCheck() {
    }

    /** @param server where the scratch database is created: the backup's target */
    public static Result run(TableDump.Tools tools, PgEndpoint server, String backupId, Path archive, Expected expected, int jobs)
            throws InterruptedException {
        String sha256;
        try {
            sha256 = ArchiveDigest.of(archive).sha256();
        } catch (java.nio.file.NoSuchFileException e) {
            return Result.corrupt("the archive " + archive + " is missing", List.of());
        } catch (IOException e) {
            return Result.notRun("cannot read the archive " + archive + ": " + e.getMessage());
        }
        if (!sha256.equals(expected.sha256())) {
            return Result.corrupt("the archive's sha256 is " + sha256 + ", not the " + expected.sha256()
                    + " recorded when it was made: it changed since", List.of());
        }
        ArchiveToc toc;
        try {
            toc = ArchiveCheck.run(tools.pgRestore(), archive, expected.rows().stream().map(TableRows::table).toList(), tools.timeout());
        } catch (DumpFailed e) {
            return Result.corrupt(e.getMessage(), List.of());
        }
        String scratch = scratchName(backupId);
        try (Connection admin = server.connect(server.database()); Statement s = admin.createStatement()) {
            try {
                s.execute("CREATE DATABASE " + SqlIdentifiers.quote(scratch) + " TEMPLATE template0");
            } catch (SQLException e) {
                return Result.notRun("cannot create the scratch database " + scratch + " on " + server.host() + ":" + server.port()
                        + " (the verification needs a role with CREATEDB): " + e.getMessage());
            }
            try {
                return restoreAndCount(tools, server, scratch, archive, toc, expected, jobs);
            } finally {
                drop(s, scratch);
            }
        } catch (SQLException e) {
            return Result.notRun("cannot reach " + server + " for the verification restore: " + e.getMessage());
        }
    }

    /** How a pg_restore into a database went: {@code problem} is null on success. */
    public record Restore(String problem, boolean unreachable) {
        public boolean ok() {
            return problem == null;
        }
    }

    /**
     * Restores an archive into an existing database on {@code server}. For a table backup ({@code schemas} not
     * null) the tables' schemas are created first, with the types, functions and sequences they may use from the
     * live target ({@link TablePrerequisites}), and foreign keys are left out, since the tables they point to are not
     * in the archive.
     *
     * @throws SQLException when the schemas cannot be created (e.g. the database does not exist: SQLSTATE 3D000)
     */
    public static Restore restoreInto(TableDump.Tools tools, PgEndpoint server, String database, Path archive, ArchiveToc toc,
                                      Collection<String> schemas, int jobs, boolean noPrivileges) throws SQLException, InterruptedException {
        return restoreInto(tools, server, database, archive, toc, schemas, jobs, noPrivileges, false);
    }

    /** @param singleTransaction all or nothing (pg_restore --single-transaction; one job) */
    public static Restore restoreInto(TableDump.Tools tools, PgEndpoint server, String database, Path archive, ArchiveToc toc,
                                      Collection<String> schemas, int jobs, boolean noPrivileges, boolean singleTransaction)
            throws SQLException, InterruptedException {
        Path useList = null;
        String prerequisitesNote = null;
        try {
            if (schemas != null) {
                try (Connection c = server.connect(database); Statement s = c.createStatement()) {
                    for (String schema : new LinkedHashSet<>(schemas)) {
                        s.execute("CREATE SCHEMA IF NOT EXISTS " + SqlIdentifiers.quote(schema));
                    }
                }
                String missing = TablePrerequisites.copy(tools, server, database, toc);
                if (missing != null) {
                    prerequisitesNote = missing;
                }
                useList = Files.createTempFile("shadowshift-restore", ".list");
                Files.writeString(useList, String.join("\n", withoutForeignKeys(toc)) + "\n", StandardCharsets.UTF_8);
            }
            List<String> command = PgCommands.restore(tools.pgRestore(), server, database, archive, singleTransaction ? 1 : jobs, useList,
                    noPrivileges);
            if (singleTransaction) {
                command = new ArrayList<>(command);
                command.add(1, "--single-transaction");
            }
            ProcessRunner.Result run = ProcessRunner.run(command, PgCommands.environment(server), tools.timeout());
            return run.ok() ? new Restore(null, false)
                    : new Restore(DumpFailed.describe("pg_restore", run, tools.timeout(), "")
                    + (prerequisitesNote == null ? "" : " (" + prerequisitesNote + ")"), unreachable(run.stderr()));
        } catch (IOException e) {
            return new Restore("cannot run " + tools.pgRestore() + ": " + e.getMessage(), true);
        } finally {
            deleteQuietly(useList);
        }
    }

    private static Result restoreAndCount(TableDump.Tools tools, PgEndpoint server, String scratch, Path archive, ArchiveToc toc,
                                          Expected expected, int jobs) throws SQLException, InterruptedException {
        Restore restore = restoreInto(tools, server, scratch, archive, toc,
                expected.wholeDatabase() ? null : expected.rows().stream().map(r -> r.table().schema()).toList(), jobs, true);
        if (!restore.ok()) {
            return restore.unreachable() ? Result.notRun("the verification restore could not run: " + restore.problem())
                    : Result.corrupt("the restore into a scratch database failed: " + restore.problem(), List.of());
        }
        List<TableRows> restored = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        try (Connection c = server.connect(scratch); Statement s = c.createStatement()) {
            for (TableRows want : expected.rows()) {
                long rows;
                try {
                    rows = SnapshotDump.count(s, want.table());
                } catch (SQLException e) {
                    if ("42P01".equals(e.getSQLState())) {
                        wrong.add(want.table().qualified() + " is missing from the restore");
                        continue;
                    }
                    throw e;
                }
                restored.add(new TableRows(want.table(), rows));
                if (rows != want.rows()) {
                    wrong.add(want.table().qualified() + ": " + want.rows() + " row(s) at dump time, " + rows + " restored");
                }
            }
        }
        if (!wrong.isEmpty()) {
            return Result.corrupt("the restore does not hold what was dumped: " + String.join("; ", wrong), restored);
        }
        return new Result(Verdict.VERIFIED, null, restored);
    }

    /** The entries pg_restore --list printed, minus foreign keys: a table backup lacks the tables they point to. */
    static List<String> withoutForeignKeys(ArchiveToc toc) {
        return toc.entries().stream().filter(e -> !e.matches("^\\d+; \\d+ \\d+ FK CONSTRAINT .*")).toList();
    }

    static String scratchName(String backupId) {
        String tag = backupId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        return SCRATCH_PREFIX + tag.substring(0, Math.min(12, tag.length())) + "_" + HexFormat.of().formatHex(random);
    }

    /**
     * Drops scratch databases a crashed verification left on this server. One still in use (a verification running
     * right now, of this worker or another) cannot be dropped without FORCE and is left alone.
     *
     * @return the names dropped
     */
    public static List<String> sweep(PgEndpoint server) throws SQLException {
        List<String> dropped = new ArrayList<>();
        try (Connection c = server.connect(server.database()); Statement s = c.createStatement()) {
            List<String> names = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'ss\\_verify\\_%'")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            for (String name : names) {
                try {
                    s.execute("DROP DATABASE IF EXISTS " + SqlIdentifiers.quote(name));
                    dropped.add(name);
                } catch (SQLException e) {
                    // in use: a verification is running in it
                }
            }
        }
        return dropped;
    }

    /** A new database on the server, as a restore's own destination (SQLSTATE 42P04 when the name is taken). */
    public static void createDatabase(PgEndpoint server, String name) throws SQLException {
        try (Connection admin = server.connect(server.database()); Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + SqlIdentifiers.quote(name) + " TEMPLATE template0");
        }
    }

    /** Drops a database this worker created, after a restore into it failed: nothing is left half-restored. */
    public static void dropDatabase(PgEndpoint server, String name) {
        try (Connection admin = server.connect(server.database()); Statement s = admin.createStatement()) {
            drop(s, name);
        } catch (SQLException e) {
            // left behind, empty or rolled back by --single-transaction; the operator sees it named in the error
        }
    }

    private static void drop(Statement s, String scratch) {
        try {
            boolean force = s.getConnection().getMetaData().getDatabaseMajorVersion() >= 13;
            s.execute("DROP DATABASE IF EXISTS " + SqlIdentifiers.quote(scratch) + (force ? " WITH (FORCE)" : ""));
        } catch (SQLException e) {
            // the verdict stands; the scratch database is left for sweep(), which the worker runs at start and between checks
        }
    }

    private static boolean unreachable(String stderr) {
        String text = stderr.toLowerCase(Locale.ROOT);
        return text.contains("connection to server") || text.contains("could not connect") || text.contains("password authentication failed");
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary table of contents; the OS cleans its temp directory
            }
        }
    }
}
