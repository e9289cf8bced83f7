package dev.shadowshift.migration.execution;

import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.migration.plan.ExecutionUnits;
import dev.shadowshift.pg.SqlIdentifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The one place that runs a plan's DDL against a target. A unit runs in one transaction whose lock_timeout and
 * statement_timeout are SET LOCAL, so they cannot leak into anything else on the connection; a unit that may not
 * run in a transaction block (CONCURRENTLY) sets them for its statement and resets them after.
 */
public final class DdlExecutor {

    /** SQLSTATEs worth another attempt: someone else held the lock, we lost a deadlock, the connection or server went away. */
    public static boolean retriable(SQLException e) {
        return SqlErrors.isTransient(e);
    }

    public static boolean lockTimeout(SQLException e) {
        return "55P03".equals(e.getSQLState());
    }

    /** Thrown when one statement of a unit fails; names the step. */
    public static final class StepFailed extends SQLException {
        private final PlanStep step;

        StepFailed(PlanStep step, SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
            this.step = step;
        }

        public PlanStep step() {
            return step;
        }
    }

    private DdlExecutor() {
    }

    public static void apply(Connection c, String schema, ExecutionUnits.Unit unit, Duration lockTimeout,
                             Duration statementTimeout) throws SQLException {
        if (unit.ownTransaction()) {
            c.setAutoCommit(false);
            try {
                settings(c, schema, lockTimeout, statementTimeout, true);
                for (PlanStep step : unit.steps()) {
                    run(c, step);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } else {
            c.setAutoCommit(true);
            try {
                settings(c, schema, lockTimeout, statementTimeout, false);
                for (PlanStep step : unit.steps()) {
                    run(c, step);
                }
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("RESET lock_timeout; RESET statement_timeout; RESET search_path");
                } catch (SQLException ignored) {
                    // a broken connection is replaced by the caller on the next unit
                }
            }
        }
    }

    private static void settings(Connection c, String schema, Duration lockTimeout, Duration statementTimeout,
                                 boolean local) throws SQLException {
        // set_config takes bound values; SET cannot. The search_path lets unqualified names in a step resolve to the plan's schema.
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT set_config('lock_timeout', ?, ?), set_config('statement_timeout', ?, ?), set_config('search_path', ?, ?)")) {
            ps.setString(1, lockTimeout.toMillis() + "ms");
            ps.setBoolean(2, local);
            ps.setString(3, statementTimeout.toMillis() + "ms");
            ps.setBoolean(4, local);
            ps.setString(5, SqlIdentifiers.quote(schema) + ", public");
            ps.setBoolean(6, local);
            ps.execute();
        }
    }

    private static void run(Connection c, PlanStep step) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(step.sql());
        } catch (SQLException e) {
            throw new StepFailed(step, e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.isClosed()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is gone; the server rolled back for us
        }
    }
}
