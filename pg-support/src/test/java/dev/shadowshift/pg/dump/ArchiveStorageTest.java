package dev.shadowshift.pg.dump;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchiveStorageTest {

    @TempDir
    Path root;

    @Test
    void aStagedArchiveIsInvisibleUntilCommittedAndADiscardLeavesNothing() throws Exception {
        FilesystemStorage storage = new FilesystemStorage(root);
        ArchiveStorage.Staged staged = storage.stage("b1", ArchiveFormat.CUSTOM);
        Files.writeString(staged.path(), "half an archive");
        assertFalse(storage.exists(root.resolve("b1.dump").toString()));
        storage.discard(staged);
        assertFalse(Files.exists(staged.path()));

        ArchiveStorage.Staged again = storage.stage("b1", ArchiveFormat.CUSTOM);
        Files.writeString(again.path(), "a whole archive");
        String location = storage.commit(again);
        assertEquals(root.resolve("b1.dump").toString(), location);
        try (ArchiveStorage.Local local = storage.open(location)) {
            assertEquals("a whole archive", Files.readString(local.path()));
        }
        storage.delete(location);
        assertFalse(storage.exists(location));
    }

    @Test
    void aDirectoryArchiveMovesAndDeletesAsAWhole() throws Exception {
        FilesystemStorage storage = new FilesystemStorage(root);
        ArchiveStorage.Staged staged = storage.stage("b2", ArchiveFormat.DIRECTORY);
        assertFalse(Files.exists(staged.path()), "pg_dump --format=directory creates the directory itself");
        Files.createDirectories(staged.path());
        Files.writeString(staged.path().resolve("toc.dat"), "toc");
        String location = storage.commit(staged);
        assertTrue(Files.isRegularFile(Path.of(location, "toc.dat")));
        storage.delete(location);
        assertFalse(Files.exists(Path.of(location)));
    }

    @Test
    void onlyPathsUnderTheRootAreEverOpenedOrDeleted() {
        FilesystemStorage storage = new FilesystemStorage(root);
        assertThrows(IllegalArgumentException.class, () -> storage.delete("/etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> storage.open(root.resolve("../elsewhere.dump").toString()));
        StorageException missing = assertThrows(StorageException.class, () -> storage.open(root.resolve("gone.dump").toString()));
        assertEquals(StorageException.Kind.NOT_FOUND, missing.kind());
    }

    @Test
    void aFullDiskAndAMissingPermissionAreSaidInPlainWords() {
        StorageException full = StorageException.of("cannot write the archive", new FileSystemException("/b/x.dump", null, "No space left on device"));
        assertEquals(StorageException.Kind.NO_SPACE, full.kind());
        assertTrue(full.getMessage().startsWith("cannot write the archive: no space left (/b/x.dump)"), full.getMessage());
        StorageException denied = StorageException.of("cannot prepare /b", new AccessDeniedException("/b/.partial"));
        assertEquals(StorageException.Kind.PERMISSION, denied.kind());
        assertTrue(denied.getMessage().contains("permission denied (/b/.partial)"), denied.getMessage());
        String pgDump = DumpFailed.describe("pg_dump", new ProcessRunner.Result(1, "",
                "pg_dump: error: could not write to output file: No space left on device\n", false), java.time.Duration.ofMinutes(1), "/b");
        assertEquals("no space left on the backup storage /b: pg_dump exited with 1: pg_dump: error: could not write to output file: "
                + "No space left on device", pgDump);
    }

    @Test
    void aStorageThatCannotBeWrittenSaysWhereAndWhy() throws IOException {
        Path notADirectory = Files.writeString(root.resolve("a-file"), "x");
        StorageException e = assertThrows(StorageException.class,
                () -> new FilesystemStorage(notADirectory.resolve("backups")).stage("b3", ArchiveFormat.CUSTOM));
        assertTrue(e.getMessage().startsWith("cannot prepare " + notADirectory.resolve("backups").resolve(".partial")), e.getMessage());
    }

    @Test
    void aDirectoryArchivesDigestCoversEveryFile() throws IOException {
        Path dir = Files.createDirectories(root.resolve("a.dir"));
        Files.writeString(dir.resolve("toc.dat"), "toc");
        Files.writeString(dir.resolve("3001.dat.gz"), "rows");
        ArchiveDigest before = ArchiveDigest.of(dir);
        assertEquals(7, before.sizeBytes());
        Files.writeString(dir.resolve("3001.dat.gz"), "rowz");
        assertNotEquals(before.sha256(), ArchiveDigest.of(dir).sha256());
        Files.writeString(dir.resolve("3001.dat.gz"), "rows");
        assertEquals(before.sha256(), ArchiveDigest.of(dir).sha256());
        Files.writeString(dir.resolve("3002.dat.gz"), "");
        assertNotEquals(before.sha256(), ArchiveDigest.of(dir).sha256(), "an added file changes it too");
    }

    @Test
    void parallelJobsNeedTheDirectoryFormat() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DumpSettings(ArchiveFormat.CUSTOM, OptionalInt.empty(), 4));
        assertTrue(e.getMessage().contains("directory format"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DumpSettings(ArchiveFormat.CUSTOM, OptionalInt.of(10), 1));
        assertEquals(ArchiveFormat.DIRECTORY, ArchiveFormat.of("Directory"));
    }
}
