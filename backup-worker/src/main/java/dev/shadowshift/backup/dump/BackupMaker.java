package dev.shadowshift.backup.dump;

import dev.shadowshift.pg.PgEndpoint;
import dev.shadowshift.pg.TargetDatabases;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Dumps exactly the tables a plan alters with pg_dump (custom format) and verifies the archive: pg_restore must
 * read its table of contents and find the data of every table in it. The file is written under a temporary name
 * and renamed only once verified, so a file named by a backup id is always a complete, checked archive.
 */
@ApplicationScoped
public class BackupMaker {

    private static final Logger LOG = Logger.getLogger(BackupMaker.class);

    /** What came of one attempt. {@code reason} is set exactly when the backup failed. */
    public record Outcome(Path file, long sizeBytes, String sha256, int archiveEntries, String reason) {
        static Outcome failed(String reason) {
            return new Outcome(null, 0, null, 0, reason);
        }

        public boolean verified() {
            return reason == null;
        }
    }

    private final BackupConfig config;
    private final TargetDatabases targets;

    public BackupMaker(BackupConfig config, TargetDatabases targets) {
        this.config = config;
        this.targets = targets;
    }

    public Path fileFor(String backupId) {
        return config.directory().toAbsolutePath().resolve(backupId + ".dump");
    }

    public Outcome make(String backupId, String target, List<TableName> tables) throws IOException, InterruptedException {
        PgEndpoint endpoint = targets.endpoint(target);
        Files.createDirectories(config.directory());
        Path file = fileFor(backupId);
        Path partial = file.resolveSibling(backupId + ".dump.partial");
        Files.deleteIfExists(partial);
        try {
            LOG.infof("backup %s: pg_dump of %d table(s) from %s", backupId, tables.size(), endpoint);
            ProcessRunner.Result dump = ProcessRunner.run(PgCommands.dump(config.pgDump(), endpoint, tables, partial),
                    PgCommands.environment(endpoint), config.dumpTimeout());
            if (dump.timedOut()) {
                return Outcome.failed("pg_dump did not finish within " + config.dumpTimeout());
            }
            if (!dump.ok()) {
                return Outcome.failed("pg_dump exited with " + dump.exitCode() + ": " + dump.firstErrorLine());
            }
            ProcessRunner.Result list = ProcessRunner.run(PgCommands.list(config.pgRestore(), partial), java.util.Map.of(),
                    config.dumpTimeout());
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
