package dev.shadowshift.pg.dump;

import java.util.Arrays;
import java.util.Locale;

/**
 * How pg_dump lays an archive out. Custom is one compressed file; directory is one file per table, which pg_dump
 * and pg_restore can work on with several jobs at once, so it suits large tables.
 */
public enum ArchiveFormat {
    CUSTOM("custom", ".dump"),
    DIRECTORY("directory", ".dir");

    private final String pgName;
    private final String suffix;

    ArchiveFormat(String pgName, String suffix) {
        this.pgName = pgName;
        this.suffix = suffix;
    }

    /** The name pg_dump's --format takes, and the one the catalog and the events use. */
    public String pgName() {
        return pgName;
    }

    public String suffix() {
        return suffix;
    }

    public static ArchiveFormat of(String name) {
        return Arrays.stream(values()).filter(f -> f.pgName.equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown archive format '" + name + "' (custom or directory)"));
    }
}
