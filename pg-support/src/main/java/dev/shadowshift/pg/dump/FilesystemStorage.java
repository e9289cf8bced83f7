package dev.shadowshift.pg.dump;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Archives as files (custom format) or directories (directory format) named by backup id under one root. pg_dump
 * writes into {@code <root>/.partial/}, on the same filesystem, and a finished archive is renamed into the root in
 * one atomic step: nothing under the root proper is ever half written, and a crash leaves at most a partial file
 * that the next {@link #stage} of that id removes.
 */
public final class FilesystemStorage implements ArchiveStorage {

    private final Path root;

    public FilesystemStorage(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        return root.toString();
    }

    public Path pathOf(String backupId, ArchiveFormat format) {
        return root.resolve(backupId + format.suffix());
    }

    @Override
    public Staged stage(String backupId, ArchiveFormat format) throws StorageException {
        Path partial = root.resolve(".partial").resolve(backupId + format.suffix());
        try {
            Files.createDirectories(partial.getParent());
            deleteTree(partial);
        } catch (IOException e) {
            throw StorageException.of("cannot prepare " + partial.getParent() + " for a new archive", e);
        }
        return new Staged(backupId, format, partial);
    }

    @Override
    public String commit(Staged staged) throws StorageException {
        Path finalPath = pathOf(staged.backupId(), staged.format());
        try {
            Files.move(staged.path(), finalPath, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw StorageException.of("cannot move the finished archive into " + root, e);
        }
        return finalPath.toString();
    }

    @Override
    public void discard(Staged staged) {
        try {
            deleteTree(staged.path());
        } catch (IOException e) {
            // a leftover under .partial/ is never taken for an archive, and the next stage of this id removes it
        }
    }

    @Override
    public boolean exists(String location) {
        return Files.exists(inside(location));
    }

    @Override
    public Local open(String location) throws StorageException {
        Path path = inside(location);
        if (!Files.exists(path)) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, "the archive " + path + " is missing", null);
        }
        return new Local() {
            @Override
            public Path path() {
                return path;
            }

            @Override
            public void close() {
                // the archive itself: nothing was copied
            }
        };
    }

    @Override
    public void delete(String location) throws StorageException {
        try {
            deleteTree(inside(location));
        } catch (IOException e) {
            throw StorageException.of("cannot delete " + location, e);
        }
    }

    /** A catalog row names the archive; only paths under this root are ever read or deleted. */
    private Path inside(String location) {
        Path path = Path.of(location).toAbsolutePath().normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("'" + location + "' is not an archive under " + root);
        }
        return path;
    }

    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> all = Files.walk(path)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } else {
            Files.deleteIfExists(path);
        }
    }
}
