package dev.shadowshift.pg;

import java.sql.SQLException;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * What a health check says about a database: UP, or DOWN with the kind of failure. Never the error's message: a
 * driver's message names hosts and ports ("Connection to db.internal:5432 refused"), and /q/health is open to anyone
 * who can reach the probe port. The message goes to the service's log, where the operator reads it.
 */
public final class QuietHealth {

    public static final String UP = "UP";
    private static final Logger LOG = Logger.getLogger(QuietHealth.class.getName());

    private QuietHealth() {
    }

    /** "DOWN (SQLSTATE 28P01)", "DOWN (no answer in time)", "DOWN (ConnectException)"; the detail is logged. */
    public static String down(String what, Throwable e) {
        LOG.warning(what + " is down: " + e);
        return "DOWN (" + kind(e) + ")";
    }

    static String kind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return "SQLSTATE " + s.getSQLState();
            }
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return "no answer in time";
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }
}
