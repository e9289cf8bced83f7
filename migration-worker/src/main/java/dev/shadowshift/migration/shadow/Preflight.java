package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.plan.ShadowRebuild;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * PREPARATION: read-only checks before anything changes. Primary key, disk estimate, long transactions,
 * dependents (materialized views apart from plain views, and refused when another materialized view selects from
 * one), and a dry run of every cast over all rows. Only a session-local pg_temp function is created (for
 * the slow path of the cast dry run) and it is dropped again.
 */
final class Preflight {

    private Preflight() {
    }

    /** Runs every check; {@link #validate} turns the report's problems into the failure. */
    static PreflightReport start(Connection c, ShadowNames n, ShadowRebuild rebuild, MigrationConfig.Shadow config)
            throws SQLException, ShadowFailure {
        TableShape shape = TargetCatalog.shape(c, n.schema(), n.table())
                .orElseThrow(() -> new UnsupportedTable("table " + n.qualified(n.table()) + " does not exist"));
        List<String> problems = new ArrayList<>();
        if (shape.primaryKey().isEmpty()) {
            problems.add("table " + n.qualified(n.table()) + " has no primary key: the shadow path copies rows, and captures writes, by key");
        }
        for (ShadowRebuild.ColumnChange change : rebuild.changes()) {
            if (shape.column(change.column()).isEmpty()) {
                problems.add("column " + quote(change.column()) + " does not exist in " + n.qualified(n.table()));
            }
        }
        long bytes = scalarLong(c, "SELECT pg_total_relation_size(to_regclass(?))", n.qualified(n.table()));
        long estimate = (long) (bytes * 1.2);
        if (estimate > config.freeSpaceBudgetBytes()) {
            problems.add("the shadow copy needs about " + estimate + " bytes, over the free-space budget of "
                    + config.freeSpaceBudgetBytes() + " bytes (shadowshift.migration.shadow.free-space-budget-bytes)");
        }
        List<String> longTx = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT pid, coalesce(application_name, ''), state, extract(epoch FROM now() - xact_start)::bigint
                FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
                  AND xact_start < now() - make_interval(secs => ?) ORDER BY xact_start""")) {
            ps.setDouble(1, config.longTransactionThreshold().toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // no query text: it may hold literals that are secrets
                    longTx.add("pid " + rs.getInt(1) + " (" + rs.getString(2) + ", " + rs.getString(3) + ") open for " + rs.getLong(4) + "s");
                }
            }
        }
        if (!longTx.isEmpty()) {
            problems.add(longTx.size() + " transaction(s) older than " + config.longTransactionThreshold()
                    + " are open in the target database; the capture trigger and index builds would wait behind them: " + longTx);
        }
        List<PreflightReport.CastCheck> casts = new ArrayList<>();
        boolean reverse = true;
        if (!shape.primaryKey().isEmpty()) {
            for (ShadowRebuild.ColumnChange change : rebuild.changes()) {
                if (shape.column(change.column()).isEmpty()) {
                    continue;
                }
                PreflightReport.CastCheck check = dryRun(c, n, shape, change);
                casts.add(check);
                if (check.failingRows() > 0) {
                    problems.add(check.failingRows() + " row(s) of " + quote(change.column()) + " would fail "
                            + (change.toType() != null ? "CAST AS " + change.toType() : "") + (change.setNotNull() ? " NOT NULL" : "")
                            + "; e.g. keys " + check.sampleKeys());
                }
                if (change.toType() != null && !castExists(c, change.toType(), shape.type(change.column()))) {
                    reverse = false;
                }
            }
        }
        List<TargetCatalog.MaterializedView> matviews = TargetCatalog.materializedViews(c, n.schema(), n.table());
        problems.addAll(MaterializedViews.problems(c, n, matviews));
        return new PreflightReport(n.qualified(n.table()), shape.primaryKey(), bytes, estimate, config.freeSpaceBudgetBytes(), longTx,
                TargetCatalog.foreignKeysIn(c, n.schema(), n.table()).stream().map(f -> f.schema() + "." + f.table() + "." + f.name()).toList(),
                TargetCatalog.foreignKeysOut(c, n.schema(), n.table()).stream().map(f -> f.name() + ": " + f.definition()).toList(),
                TargetCatalog.views(c, n.schema(), n.table()).stream().map(v -> v.schema() + "." + v.name()).toList(),
                matviews.stream().map(m -> m.schema() + "." + m.name()).toList(),
                TargetCatalog.userTriggers(c, n.schema(), n.table()).stream().map(TargetCatalog.Trigger::name).toList(),
                TargetCatalog.grantsFor(c, n.schema(), n.table(), n.qualified(n.table())),
                TargetCatalog.ownedSequences(c, n.schema(), n.table()).stream()
                        .map(s -> s.schema() + "." + s.name() + " (" + (s.identity() ? "identity " : "owned by ") + s.column() + ")").toList(),
                casts, reverse, problems);
    }

    static void validate(PreflightReport report) throws PreflightFailed {
        if (report.problems().isEmpty()) {
            return;
        }
        String message = "preflight failed, nothing was changed: " + String.join("; ", report.problems());
        if (report.casts().stream().anyMatch(c -> c.failingRows() > 0)) {
            throw new CastWouldFail(message, report);
        }
        throw new PreflightFailed(message, report);
    }

    /**
     * Converts every row's value in one scan; when that raises a conversion error, counts the failing rows with a
     * per-row check (a pg_temp function with an exception block) and samples their keys.
     */
    private static PreflightReport.CastCheck dryRun(Connection c, ShadowNames n, TableShape shape, ShadowRebuild.ColumnChange change)
            throws SQLException {
        String col = quote(change.column());
        String from = shape.type(change.column());
        String converted = ShadowSql.castExpression(col, change);
        String orig = n.qualified(n.table());
        String keys = ShadowSql.list(shape.primaryKey(), k -> quote(k) + "::text");
        String order = ShadowSql.list(shape.primaryKey(), k -> quote(k));
        String failing = change.setNotNull() ? "(" + converted + ") IS NULL" : "false";
        try {
            long rows = scalarLong(c, "SELECT count(*) FROM " + orig + " WHERE " + failing + " OR (" + converted + ") IS NULL AND " + col + " IS NOT NULL", null);
            return new PreflightReport.CastCheck(change.column(), from, change.toType(), change.setNotNull(), rows,
                    rows == 0 ? List.of() : samples(c, "SELECT concat_ws(',', " + keys + ") FROM " + orig + " WHERE " + failing
                            + " OR (" + converted + ") IS NULL AND " + col + " IS NOT NULL ORDER BY " + order + " LIMIT 5"));
        } catch (SQLException e) {
            if (e.getSQLState() == null || !(e.getSQLState().startsWith("22") || e.getSQLState().startsWith("23"))) {
                throw e;
            }
        }
        String fn = "pg_temp." + quote("ss_castable_" + n.shortId());
        try (Statement s = c.createStatement()) {
            s.execute("CREATE OR REPLACE FUNCTION " + fn + "(v " + from
                    + ") RETURNS boolean LANGUAGE plpgsql AS " + ShadowSql.dollarQuote(
                    "BEGIN\n  PERFORM " + ShadowSql.castExpression("v", change) + ";\n  RETURN true;\nEXCEPTION WHEN others THEN\n  RETURN false;\nEND"));
        }
        try {
            String where = "NOT " + fn + "(" + col + ")" + (change.setNotNull() ? " OR " + col + " IS NULL" : "");
            long rows = scalarLong(c, "SELECT count(*) FROM " + orig + " WHERE " + where, null);
            return new PreflightReport.CastCheck(change.column(), from, change.toType(), change.setNotNull(), rows,
                    samples(c, "SELECT concat_ws(',', " + keys + ") FROM " + orig + " WHERE " + where + " ORDER BY " + order + " LIMIT 5"));
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute("DROP FUNCTION IF EXISTS " + fn + "(" + from + ")");
            }
        }
    }

    /** True when PostgreSQL can convert {@code from} to {@code to} at all (the reverse cast, for rollback). */
    static boolean castExists(Connection c, String from, String to) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        try (Statement s = c.createStatement()) {
            // both spelled by format_type: the catalog's, and the server's spelling of the planned type
            s.execute("SELECT CAST(NULL::" + from + " AS " + to + ")");
            return true;
        } catch (SQLException e) {
            if (!autoCommit) {
                throw e;
            }
            return false;
        }
    }

    private static List<String> samples(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    static long scalarLong(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) {
                ps.setString(1, param);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
