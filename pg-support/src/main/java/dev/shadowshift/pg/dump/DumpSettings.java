package dev.shadowshift.pg.dump;

import java.util.OptionalInt;

/**
 * How pg_dump writes an archive.
 *
 * @param compression 0 (none) to 9 (smallest), or empty for pg_dump's own default
 * @param jobs        parallel pg_dump jobs; the directory format only (the custom format is written by one job).
 *                    pg_restore uses as many when it reads the archive back.
 */
public record DumpSettings(ArchiveFormat format, OptionalInt compression, int jobs) {

    public static final DumpSettings DEFAULT = new DumpSettings(ArchiveFormat.CUSTOM, OptionalInt.empty(), 1);

    public DumpSettings {
        if (compression.isPresent() && (compression.getAsInt() < 0 || compression.getAsInt() > 9)) {
            throw new IllegalArgumentException("compression must be 0 to 9, got " + compression.getAsInt());
        }
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
        }
        if (jobs > 1 && format != ArchiveFormat.DIRECTORY) {
            throw new IllegalArgumentException("parallel jobs (" + jobs + ") need the directory format; the custom format is "
                    + "written by one job");
        }
    }
}
