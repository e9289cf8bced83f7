package dev.shadowshift.pg.dump;

import dev.shadowshift.pg.PgEndpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Dumps exactly the named tables with pg_dump (custom format) and verifies the archive: pg_restore must read its
 * table of contents and find the data of every table in it. The file is written under a temporary name and renamed
 * only once verified, so a file named by a backup id is always a complete, checked archive. Used by backup-worker
 * and by the synchronous {@code ./shadowshift migrate}, so both gate a rebuild on the same kind of backup.
 */
public final class TableDump {

    /** What came of one attempt. {@code reason} is set exactly when the backup failed. */
    public record Outcome(Path file, long sizeBytes, String sha256, int archiveEntries, String reason) {
        static Outcome failed(String reason) {
            return new Outcome(null, 0, null, 0, reason);
        }

        public boolean verified() {
            return reason == null;
        }
    }

    /** The pg_dump and pg_restore binaries (names on PATH or paths) and how long each may run. */
    public record Tools(String pgDump, String pgRestore, Duration timeout) {
    }

    private TableDump() {
    }

    public static Path fileFor(Path directory, String backupId) {
        return directory.toAbsolutePath().resolve(backupId + ".dump");
    }

    public static Outcome make(Tools tools, PgEndpoint endpoint, List<TableName> tables, Path directory, String backupId)
            throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path file = fileFor(directory, backupId);
        Path partial = file.resolveSibling(backupId + ".dump.partial");
        Files.deleteIfExists(partial);
        try {
            ProcessRunner.Result dump = ProcessRunner.run(PgCommands.dump(tools.pgDump(), endpoint, tables, partial),
                    PgCommands.environment(endpoint), tools.timeout());
            if (dump.timedOut()) {
                return Outcome.failed("pg_dump did not finish within " + tools.timeout());
            }
            if (!dump.ok()) {
                return Outcome.failed("pg_dump exited with " + dump.exitCode() + ": " + dump.firstErrorLine());
            }
            ProcessRunner.Result list = ProcessRunner.run(PgCommands.list(tools.pgRestore(), partial), Map.of(), tools.timeout());
            if (!list.ok()) {
                return Outcome.failed("pg_restore --list cannot read the archive: " + list.firstErrorLine());
            }
            ArchiveToc toc = ArchiveToc.parse(list.stdout());
            for (TableName table : tables) {
                if (!toc.hasData(table)) {
                    return Outcome.failed("pg_restore --list found no data for table " + table.qualified());
                }
            }
            String sha256 = sha256(partial);
            long size = Files.size(partial);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Outcome(file, size, sha256, toc.size(), null);
        } catch (IOException e) {
            return Outcome.failed("cannot run the backup: " + e.getMessage());
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
