package dev.shadowshift.monitor.snapshot;

import dev.shadowshift.monitor.config.MonitorConfig;
import dev.shadowshift.pg.TargetDatabases;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The only part of the monitor that knows the pg_stat views. Opens one short-lived connection per poll, reads,
 * closes. Never throws: a target that cannot be read is an {@link PollResult.Unreachable} result, which is itself
 * alert-worthy.
 */
@ApplicationScoped
public class SnapshotReader {

    private static final Logger LOG = Logger.getLogger(SnapshotReader.class);

    /** Active queries kept per snapshot; the rules only need the oldest, the dashboard a handful. */
    static final int MAX_ACTIVE_QUERIES = 50;
    /**
     * Tables read per snapshot, most dead tuples first. Alerts only concern tables with many dead tuples, and a
     * database with tens of thousands of tables must not make every poll expensive.
     */
    static final int MAX_TABLES = 500;
    /** pg_stat_activity.query is itself capped by track_activity_query_size (1 kB by default). */
    private static final int MAX_QUERY_CHARS = 2000;

    private final TargetDatabases targets;
    private final MonitorConfig config;
    private final Clock clock;
    /** Targets already warned about, so the warning appears once, not every poll. */
    private final Set<String> blindTargets = ConcurrentHashMap.newKeySet();

    public SnapshotReader(TargetDatabases targets, MonitorConfig config) {
        this.targets = targets;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    public PollResult read(String target) {
        Instant at = clock.instant();
        try (Connection c = targets.open(target)) {
            c.setReadOnly(true);
            try (Statement s = c.createStatement()) {
                // bound the monitor's own footprint on a struggling server
                s.execute("SET statement_timeout = " + Math.max(1, config.queryTimeout().toMillis()));
                s.execute("SET lock_timeout = 2000");
            }
            int max = maxConnections(c);
            Map<String, Integer> byState = connectionsByState(c);
            int used = byState.values().stream().mapToInt(Integer::intValue).sum();
            boolean seesAll = seesAllSessions(c);
            if (!seesAll && blindTargets.add(target)) {
                LOG.warnf("the monitor's role on target %s lacks pg_read_all_stats (grant pg_monitor): queries of other "
                        + "roles are invisible, so long_running_query cannot fire for them", target);
            }
            return new PollResult.Reached(new TargetSnapshot(target, at, max, used, byState, activeQueries(c), tables(c), seesAll));
        } catch (SQLException | RuntimeException e) {
            String reason = describe(e);
            LOG.warnf("target %s unreachable: %s", target, reason);
            return new PollResult.Unreachable(target, at, reason);
        }
    }

    private static boolean seesAllSessions(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')
                     FROM pg_roles WHERE rolname = current_user""")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static int maxConnections(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT setting::int FROM pg_settings WHERE name = 'max_connections'")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** Client backends only: autovacuum workers, WAL senders and background workers do not use max_connections slots. */
    private static Map<String, Integer> connectionsByState(Connection c) throws SQLException {
        Map<String, Integer> byState = new LinkedHashMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT coalesce(state, 'unknown'), count(*)::int
                     FROM pg_stat_activity
                     WHERE backend_type = 'client backend'
                     GROUP BY 1 ORDER BY 1""")) {
            while (rs.next()) {
                byState.put(rs.getString(1), rs.getInt(2));
            }
        }
        return byState;
    }

    /**
     * Non-idle backends on the target database, excluding this very connection. Other databases on the same server
     * belong to someone else's target (or to Shadowshift's own state), so their queries are not this target's alerts.
     */
    private static List<TargetSnapshot.ActiveQuery> activeQueries(Connection c) throws SQLException {
        List<TargetSnapshot.ActiveQuery> queries = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT pid, usename, application_name, state,
                       EXTRACT(EPOCH FROM clock_timestamp() - query_start)::float8, left(query, ?)
                FROM pg_stat_activity
                WHERE backend_type = 'client backend'
                  AND pid <> pg_backend_pid()
                  AND datname = current_database()
                  AND state IS NOT NULL AND state <> 'idle'
                  AND query_start IS NOT NULL
                ORDER BY query_start
                LIMIT ?""")) {
            ps.setInt(1, MAX_QUERY_CHARS);
            ps.setInt(2, MAX_ACTIVE_QUERIES);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    queries.add(new TargetSnapshot.ActiveQuery(rs.getInt(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), Math.max(0.0, rs.getDouble(5)), rs.getString(6)));
                }
            }
        }
        return queries;
    }

    private static List<TargetSnapshot.TableStats> tables(Connection c) throws SQLException {
        List<TargetSnapshot.TableStats> tables = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT schemaname, relname, n_live_tup, n_dead_tup, last_autovacuum
                FROM pg_stat_user_tables
                ORDER BY n_dead_tup DESC, schemaname, relname
                LIMIT ?""")) {
            ps.setInt(1, MAX_TABLES);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp vacuumed = rs.getTimestamp(5);
                    tables.add(new TargetSnapshot.TableStats(rs.getString(1), rs.getString(2), rs.getLong(3),
                            rs.getLong(4), vacuumed == null ? null : vacuumed.toInstant()));
                }
            }
        }
        return tables;
    }

    private static String describe(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof SQLException sql && sql.getSQLState() != null) {
            message = message + " (SQLSTATE " + sql.getSQLState() + ")";
        }
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }
}
