package dev.shadowshift.migration.execution;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How the worker applies DDL to a live database. */
@ConfigMapping(prefix = "shadowshift.migration")
public interface MigrationConfig {

    /** SET LOCAL lock_timeout per table transaction: waiting behind a long query would block every query queued behind us. */
    @WithDefault("2s")
    Duration lockTimeout();

    /** SET LOCAL statement_timeout per table transaction. */
    @WithDefault("5m")
    Duration statementTimeout();

    /** Attempts per table when its lock cannot be obtained in time, including the first. */
    @WithDefault("5")
    int maxAttempts();

    /** Backoff before the second attempt; doubles per attempt, jittered, capped at {@link #backoffMax()}. */
    @WithDefault("500ms")
    Duration backoffInitial();

    @WithDefault("30s")
    Duration backoffMax();

    /** A RUNNING progress event goes out at least this often while a plan runs... */
    @WithDefault("5s")
    Duration progressInterval();

    /** ...or after this many tables, whichever comes first. */
    @WithDefault("25")
    int progressEveryTables();
}
