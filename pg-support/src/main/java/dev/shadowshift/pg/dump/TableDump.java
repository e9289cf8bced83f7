package dev.shadowshift.pg.dump;

import dev.shadowshift.pg.PgEndpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Makes a backup archive: pg_dump in a snapshot whose row counts it records ({@link SnapshotDump}), then pg_restore
 * must read the table of contents and find every table's data in it ({@link ArchiveCheck}), then the archive's
 * digest, and only then is it published in its storage: an archive found under a location is always complete and
 * checked, and a failed attempt (a full disk, a permission, a missing table) leaves nothing behind. Used by
 * backup-worker and by the synchronous {@code ./shadowshift migrate}, so both gate a rebuild on the same kind of backup.
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

    /** A published archive: where it is, its digest, how many entries pg_restore listed, and the rows of each table. */
    public record Made(String location, ArchiveDigest digest, int archiveEntries, List<TableName> dumped, List<TableRows> rows) {
    }

    private TableDump() {
    }

    public static Path fileFor(Path directory, String backupId) {
        return new FilesystemStorage(directory).pathOf(backupId, ArchiveFormat.CUSTOM);
    }

    /** @param tables the tables to back up, or null for the whole database */
    public static Made make(Tools tools, PgEndpoint endpoint, List<TableName> tables, DumpSettings settings,
                            ArchiveStorage storage, String backupId) throws DumpFailed, InterruptedException {
        ArchiveStorage.Staged staged;
        try {
            staged = storage.stage(backupId, settings.format());
        } catch (StorageException e) {
            throw new DumpFailed(e.getMessage(), e);
        }
        try {
            SnapshotDump.Result dump = SnapshotDump.run(tools, endpoint, tables, settings, staged.path(), storage.describe());
            ArchiveToc toc = ArchiveCheck.run(tools.pgRestore(), staged.path(),
                    dump.counted().stream().map(TableRows::table).toList(), tools.timeout());
            ArchiveDigest digest = ArchiveDigest.of(staged.path());
            String location = storage.commit(staged);
            return new Made(location, digest, toc.size(), dump.dumped(), dump.counted());
        } catch (StorageException e) {
            throw new DumpFailed(e.getMessage(), e);
        } catch (IOException e) {
            StorageException s = StorageException.of("cannot read the new archive in " + storage.describe(), e);
            throw new DumpFailed(s.getMessage(), e);
        } finally {
            storage.discard(staged);
        }
    }

    /** A custom-format archive of exactly these tables in {@code directory}, named by backup id. */
    public static Outcome make(Tools tools, PgEndpoint endpoint, List<TableName> tables, Path directory, String backupId)
            throws IOException, InterruptedException {
        try {
            Made made = make(tools, endpoint, tables, DumpSettings.DEFAULT, new FilesystemStorage(directory), backupId);
            return new Outcome(Path.of(made.location()), made.digest().sizeBytes(), made.digest().sha256(), made.archiveEntries(), null);
        } catch (DumpFailed e) {
            return Outcome.failed(e.getMessage());
        }
    }

    public static String sha256(Path file) throws IOException {
        return ArchiveDigest.sha256(file);
    }
}
