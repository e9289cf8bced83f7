package dev.shadowshift.schema.cli;

import dev.shadowshift.pg.cli.ProgressBar;
import dev.shadowshift.contracts.changes.SchemaChange;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs IN_PLACE changes one statement at a time, each in its own transaction (autocommit: CREATE INDEX CONCURRENTLY
 * refuses a transaction block), under a short lock_timeout so that a statement waiting for its lock never queues
 * the application's queries behind it. A lock timeout or deadlock is retried after an exponential, jittered pause;
 * any other error stops the run, since later changes may depend on the failed one.
 */
final class EvolutionApplier {

    static final String LOCK_NOT_AVAILABLE = "55P03";
    static final String DEADLOCK = "40P01";

    record Outcome(List<SchemaChange> applied, SchemaChange failed, String error, int retries) {
    }

    private final Duration lockTimeout;
    private final int maxRetries;
    private final Duration basePause;

    EvolutionApplier(Duration lockTimeout, int maxRetries, Duration basePause) {
        this.lockTimeout = lockTimeout;
        this.maxRetries = maxRetries;
        this.basePause = basePause;
    }

    Outcome apply(Connection c, List<SchemaChange> changes, ProgressBar progress, PrintStream log) throws SQLException {
        c.setAutoCommit(true);
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('lock_timeout', ?, false)")) {
            ps.setString(1, lockTimeout.toMillis() + "ms");
            ps.execute();
        }
        List<SchemaChange> applied = new ArrayList<>();
        int retries = 0;
        progress.show(0, "starting");
        for (SchemaChange change : changes) {
            String label = change.kind() + " " + change.table() + (change.column() == null ? "" : "." + change.column());
            for (int attempt = 0; ; attempt++) {
                try (Statement s = c.createStatement()) {
                    s.execute(change.sql());
                    break;
                } catch (SQLException e) {
                    boolean transientLock = LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || DEADLOCK.equals(e.getSQLState());
                    if (!transientLock || attempt >= maxRetries) {
                        progress.finish();
                        String why = transientLock ? "its lock was not granted within " + lockTimeout.toMillis() + " ms after "
                                + (attempt + 1) + " attempts (long-running queries hold the table)" : e.getMessage();
                        return new Outcome(applied, change, label + ": " + why, retries);
                    }
                    retries++;
                    long pause = pause(attempt);
                    log.println("shadowshift | " + label + ": lock not granted within " + lockTimeout.toMillis()
                            + " ms, retry " + (attempt + 1) + "/" + maxRetries + " in " + pause + " ms");
                    sleep(pause);
                }
            }
            applied.add(change);
            progress.show(applied.size(), label);
        }
        progress.finish();
        return new Outcome(applied, null, null, retries);
    }

    /** Exponential with full jitter: a random pause up to base * 2^attempt, so that retries from many runs spread out. */
    long pause(int attempt) {
        long cap = basePause.toMillis() * (1L << Math.min(attempt, 10));
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }
}
