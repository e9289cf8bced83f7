package dev.shadowshift.pg.dump;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SHA-256 and size of an archive. A custom-format archive is one file and its digest is the file's. A
 * directory-format archive's digest covers every file in it: the SHA-256 of the lines {@code <relative path> NUL
 * <file's sha256>} in path order, so a changed, missing or added file changes it.
 */
public record ArchiveDigest(String sha256, long sizeBytes) {

    public static ArchiveDigest of(Path archive) throws IOException {
        if (!Files.isDirectory(archive)) {
            return new ArchiveDigest(sha256(archive), Files.size(archive));
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(archive)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        MessageDigest manifest = digest();
        long size = 0;
        for (Path file : files) {
            String relative = archive.relativize(file).toString().replace('\\', '/');
            manifest.update((relative + "\0" + sha256(file) + "\n").getBytes(StandardCharsets.UTF_8));
            size += Files.size(file);
        }
        return new ArchiveDigest(HexFormat.of().formatHex(manifest.digest()), size);
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
