package dev.shadowshift.backup.dump;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "shadowshift.backup")
public interface BackupConfig {

    /** The pg_dump binary, from PATH by default. Its major version must be at least the target server's. */
    @WithDefault("pg_dump")
    String pgDump();

    @WithDefault("pg_restore")
    String pgRestore();

    /** Where archives go on the filesystem storage, one file or directory per backup, named by backup id. */
    Path directory();

    /** custom (one compressed file) or directory (one file per table, dumped and restored with {@link #jobs()} jobs). */
    @WithDefault("custom")
    String format();

    /** 0 (none) to 9 (smallest); pg_dump's own default when unset. */
    Optional<Integer> compression();

    /** Parallel pg_dump and pg_restore jobs; more than 1 needs the directory format. */
    @WithDefault("1")
    int jobs();

    @WithDefault("PT30M")
    Duration dumpTimeout();

    /** How long one restore may take, the verification's into a scratch database too. */
    @WithDefault("PT30M")
    Duration restoreTimeout();

    /** How many backups on request or on schedule run at once; a plan's backup runs on its consumer and never waits for them. */
    @WithDefault("2")
    int maxConcurrent();

    /** A kept VERIFIED backup is restored again into a scratch database when its last verification is older than this; 0 turns it off. */
    @WithDefault("P1D")
    Duration reverifyInterval();

    /** How often the worker looks for backups due for re-verification, as a Quarkus scheduler interval. */
    @WithDefault("1m")
    String reverifyCheckInterval();

    Retention retention();

    Restore restore();

    interface Restore {
        /** A restore goes only into a new database whose whole name matches this (and never a target, a state database, postgres or a template). */
        @WithDefault("restore_.*")
        java.util.regex.Pattern allowedPattern();
    }

    /** How often retention runs on its own (it also runs after each verified backup), as a Quarkus scheduler interval. */
    @WithDefault("1h")
    String retentionCheckInterval();

    interface Retention {
        /** A target's newest this many backups are kept. */
        @WithDefault("7")
        int keepLast();

        /** Backups older than this are removed. */
        @WithDefault("P7D")
        Duration maxAge();

        /** Never fewer than this many VERIFIED backups of a target are left: the newest of them are kept whatever their age. */
        @WithDefault("1")
        int minVerified();

        /**
         * A plan's backup is pinned until migration-worker says the plan's rollback window closed. Should that word
         * be lost, the pin ends this long after the last migration-progress event of the plan: keep it above
         * migration-worker's shadowshift.migration.shadow.retention.
         */
        @WithDefault("P3D")
        Duration planPinTimeout();
    }
}
