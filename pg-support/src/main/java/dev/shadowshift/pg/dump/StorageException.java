package dev.shadowshift.pg.dump;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/** A storage operation failed; {@link #kind()} says whether more space or other permissions would fix it. */
public class StorageException extends Exception {

    public enum Kind { NO_SPACE, PERMISSION, NOT_FOUND, OTHER }

    private final Kind kind;

    public StorageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Names the place and what the operating system said, in the words an operator acts on. */
    public static StorageException of(String doing, java.io.IOException e) {
        String detail = e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : e.getMessage();
        Kind kind = kindOf(e, detail);
        String where = e instanceof FileSystemException fs && fs.getFile() != null ? fs.getFile() : null;
        String what = switch (kind) {
            case NO_SPACE -> "no space left";
            case PERMISSION -> "permission denied";
            case NOT_FOUND -> "not found";
            case OTHER -> detail;
        };
        return new StorageException(kind, doing + ": " + what + (where == null ? "" : " (" + where + ")")
                + (kind == Kind.OTHER || detail == null || detail.equalsIgnoreCase(what) ? "" : ": " + detail), e);
    }

    static Kind kindOf(Exception e, String detail) {
        String text = detail == null ? "" : detail.toLowerCase(Locale.ROOT);
        if (text.contains("no space left") || text.contains("disk quota exceeded") || text.contains("file too large")) {
            return Kind.NO_SPACE;
        }
        if (e instanceof AccessDeniedException || text.contains("permission denied") || text.contains("read-only file system")) {
            return Kind.PERMISSION;
        }
        if (e instanceof NoSuchFileException) {
            return Kind.NOT_FOUND;
        }
        return Kind.OTHER;
    }
}
