package dev.shadowshift.backup.it;

import dev.shadowshift.backup.dump.BackupConfig;
import dev.shadowshift.pg.dump.ArchiveFormat;
import dev.shadowshift.pg.dump.ArchiveStorage;
import dev.shadowshift.pg.dump.FilesystemStorage;
import dev.shadowshift.pg.dump.StorageException;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The filesystem storage with faults a test arms for the next archive: a full disk (pg_dump writes into /dev/full,
 * which answers every write with ENOSPC, as a full filesystem does) or a byte flipped in the archive right after it
 * is published (as bit rot would, before the first verification reads it).
 */
@Singleton
public class FaultyStorage implements ArchiveStorage {

    public enum Fault { NONE, DISK_FULL, FLIP_A_BYTE }

    private static final AtomicReference<Fault> NEXT = new AtomicReference<>(Fault.NONE);

    private final FilesystemStorage real;

    public FaultyStorage(BackupConfig config) {
        this.real = new FilesystemStorage(config.directory());
    }

    public static void arm(Fault fault) {
        NEXT.set(fault);
    }

    public Path root() {
        return real.root();
    }

    @Override
    public String describe() {
        return real.describe();
    }

    @Override
    public Staged stage(String backupId, ArchiveFormat format) throws StorageException {
        Staged staged = real.stage(backupId, format);
        if (format == ArchiveFormat.CUSTOM && NEXT.compareAndSet(Fault.DISK_FULL, Fault.NONE)) {
            try {
                Files.createSymbolicLink(staged.path(), Path.of("/dev/full"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return staged;
    }

    @Override
    public String commit(Staged staged) throws StorageException {
        String location = real.commit(staged);
        if (NEXT.compareAndSet(Fault.FLIP_A_BYTE, Fault.NONE)) {
            flipAByte(Path.of(location));
        }
        return location;
    }

    /** One bit of the byte in the middle of the archive (its largest file, for a directory archive). */
    public static void flipAByte(Path archive) {
        try {
            Path file = archive;
            if (Files.isDirectory(archive)) {
                try (var files = Files.list(archive)) {
                    file = files.filter(Files::isRegularFile).max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
                }
            }
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                long at = raf.length() / 2;
                raf.seek(at);
                int b = raf.read();
                raf.seek(at);
                raf.write(b ^ 0x01);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void discard(Staged staged) {
        real.discard(staged);
    }

    @Override
    public boolean exists(String location) {
        return real.exists(location);
    }

    @Override
    public Local open(String location) throws StorageException {
        return real.open(location);
    }

    @Override
    public void delete(String location) throws StorageException {
        real.delete(location);
    }
}
