package dev.shadowshift.backup.dump;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;

@ConfigMapping(prefix = "shadowshift.backup")
public interface BackupConfig {

    /** The pg_dump binary, from PATH by default. Its major version must be at least the target server's. */
    @WithDefault("pg_dump")
    String pgDump();

    @WithDefault("pg_restore")
    String pgRestore();

    /** Where dump files go, one per backup, named by backup id. */
    Path directory();

    /** How long a verified backup is kept before the retention job deletes its file. */
    @WithDefault("P7D")
    Duration retention();

    @WithDefault("PT30M")
    Duration dumpTimeout();

    @WithDefault("PT30M")
    Duration restoreTimeout();

    /** How often the retention job looks for expired backups, as a Quarkus scheduler interval (e.g. 1h, 10m). */
    @WithDefault("1h")
    String retentionCheckInterval();
}
