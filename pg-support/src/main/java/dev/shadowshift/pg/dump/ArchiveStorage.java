package dev.shadowshift.pg.dump;

import java.nio.file.Path;

/**
 * Where backup archives live. pg_dump writes into a local staging place; {@link #commit} publishes the finished,
 * checked archive in one step, so an archive that can be found under a location is always complete. The filesystem
 * is the default ({@link FilesystemStorage}); object storage would upload in {@link #commit} and download in
 * {@link #open}, without the backup flow changing.
 */
public interface ArchiveStorage {

    /** A local path pg_dump writes a new archive to: a file (custom format) or a directory it creates (directory format). */
    record Staged(String backupId, ArchiveFormat format, Path path) {
    }

    /** A local copy of a stored archive, for pg_restore to read; closing it lets go of whatever a download made. */
    interface Local extends AutoCloseable {
        Path path();

        @Override
        void close();
    }

    /** Where new archives go, for messages and logs. */
    String describe();

    Staged stage(String backupId, ArchiveFormat format) throws StorageException;

    /** Publishes a staged archive; returns its location, which {@link #open} and {@link #delete} take. */
    String commit(Staged staged) throws StorageException;

    /** Removes whatever a staged archive left behind (pg_dump's partial output); never throws. */
    void discard(Staged staged);

    boolean exists(String location);

    Local open(String location) throws StorageException;

    void delete(String location) throws StorageException;
}
