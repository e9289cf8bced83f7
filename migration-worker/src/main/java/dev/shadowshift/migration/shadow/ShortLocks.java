package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.support.Backoff;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Runs a piece of DDL in one transaction under a short lock_timeout (SET LOCAL), retried after a jittered backoff
 * when the lock cannot be had: a waiting ACCESS EXCLUSIVE request blocks every query queued behind it, so we never
 * wait longer than lock_timeout, and try again instead.
 */
final class ShortLocks {

    interface Work<T> {
        T run(Connection c) throws SQLException, ShadowFailure;
    }

    interface Attempted {
        void failed(int attempt, Duration retryIn, SQLException cause);
    }

    private ShortLocks() {
    }

    static <T> T run(Connection c, String what, Duration lockTimeout, int attempts, Duration backoffInitial, Duration backoffMax,
                     Attempted onRetry, Work<T> work) throws SQLException, ShadowFailure, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("SELECT set_config('lock_timeout', ?, true)")) {
                    ps.setString(1, lockTimeout.toMillis() + "ms");
                    ps.execute();
                }
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException e) {
                rollbackQuietly(c);
                boolean lock = "55P03".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
                if (!lock) {
                    throw e;
                }
                if (attempt >= attempts) {
                    throw new LockNotAcquired(what + ": could not take the lock within lock_timeout " + lockTimeout.toMillis()
                            + "ms in " + attempts + " attempts; another session holds a conflicting lock. Nothing was changed.", e);
                }
                Duration wait = Backoff.delay(attempt, backoffInitial, backoffMax);
                onRetry.failed(attempt, wait, e);
                Thread.sleep(wait.toMillis());
            } catch (ShadowFailure | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    static void rollbackQuietly(Connection c) {
        try {
            if (!c.isClosed()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // the session is gone; the server rolled back
        }
    }
}
