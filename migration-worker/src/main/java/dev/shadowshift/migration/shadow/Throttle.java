package dev.shadowshift.migration.shadow;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.migration.config.MigrationConfig;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Why backfill should wait right now, if it should: a critical alert from monitor-service firing for the target
 * (consumed from {@code alerts}; state kept by fingerprint, so firing then resolved clears it), replication lag
 * over the limit, or more active client sessions than allowed. The critical alerts include monitor-service's
 * {@code migration_impact}, which fires when a running plan's writers wait too long: the backfill pauses until they
 * recover, whatever the plan. A warning never pauses anything.
 *
 * <p>It also measures, on the run's own session and at every batch, what the writers of the migrated table
 * experience ({@link #look}): what {@link AdaptiveThrottle} decides the batch size, the sleep and pauses from.
 * monitor-service's migration_impact watches the same two figures, but on its poll interval and only where it runs;
 * this look is the worker's own, per batch, and works for {@code ./shadowshift migrate} too.
 */
@ApplicationScoped
public class Throttle {

    private final Map<String, Alert> critical = new ConcurrentHashMap<>();
    private final MigrationConfig config;

    public Throttle(MigrationConfig config) {
        this.config = config;
    }

    @Incoming(Topics.ALERTS)
    @Blocking(ordered = true)
    public void alert(String value) {
        CloudEvent event = EventSchemas.parse(value, EventType.ALERT);
        Alert alert = event.dataAs(Alert.class);
        if (Alert.FIRING.equals(alert.status()) && "critical".equals(alert.severity())) {
            critical.put(alert.fingerprint(), alert);
        } else {
            critical.remove(alert.fingerprint());
        }
    }

    /**
     * What one run keeps between looks: the table's writers as patterns, where pg_stat_statements is (null: not
     * installed in the target database), and its totals at the previous look.
     */
    static final class Watch {
        final String writesTo;
        String statementsView;
        boolean resolved;
        long calls = -1;
        double totalMs;

        Watch(String schema, String table) {
            this.writesTo = writesTo(schema, table);
        }
    }

    /**
     * A case-insensitive POSIX regular expression for a statement that writes to {@code schema.table}: the verb
     * (INSERT INTO, UPDATE, DELETE FROM, MERGE INTO, after an optional WITH ... is not looked into), then the table,
     * qualified or not, quoted or not. The names are escaped character by character: a bound value, never SQL.
     */
    static String writesTo(String schema, String table) {
        return "^\\s*(insert\\s+into|update(\\s+only)?|delete\\s+from(\\s+only)?|merge\\s+into)\\s+(\"?" + escape(schema)
                + "\"?\\s*\\.\\s*)?\"?" + escape(table) + "\"?([\\s(;]|$)";
    }

    private static String escape(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().forEach(cp -> {
            if (!Character.isLetterOrDigit(cp)) {
                b.append('\\');
            }
            b.appendCodePoint(cp);
        });
        return b.toString();
    }

    /** The statements' totals and the oldest in-flight write: the tool's own sessions (application_name shadowshift*) left out. */
    private static final String IN_FLIGHT = """
            SELECT coalesce(max(extract(epoch FROM clock_timestamp() - query_start)) * 1000, 0)
            FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND backend_type = 'client backend'
              AND pid <> pg_backend_pid() AND application_name NOT LIKE 'shadowshift%' AND query ~* ?""";

    private static String statements(String view) {
        return "SELECT coalesce(sum(calls), 0)::bigint, coalesce(sum(total_exec_time), 0)::float8 FROM " + view
                + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query ~* ?";
    }

    /**
     * One look for {@link AdaptiveThrottle}: the hard stops ({@link #reason}), the oldest write to the table in flight
     * and, where pg_stat_statements is installed, the writers' mean time per call since the previous look (the first
     * look: over the statements' whole recorded life, the baseline).
     */
    AdaptiveThrottle.Sample look(Connection c, String target, Watch w) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        if (!autoCommit) {
            // inside a transaction (logical capture's snapshot) pg_stat_activity is read once and kept: look afresh
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_stat_clear_snapshot()")) {
                ps.execute();
            }
        }
        String stop = reason(c, target).orElse(null);
        double oldest;
        try (PreparedStatement ps = c.prepareStatement(IN_FLIGHT)) {
            ps.setString(1, w.writesTo);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                oldest = rs.getDouble(1);
            }
        }
        if (!w.resolved) {
            w.resolved = true;
            try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                    + "WHERE e.extname = 'pg_stat_statements'"); ResultSet rs = ps.executeQuery()) {
                w.statementsView = rs.next() ? dev.shadowshift.pg.SqlIdentifiers.qualified(rs.getString(1), "pg_stat_statements") : null;
            }
        }
        if (w.statementsView == null) {
            return new AdaptiveThrottle.Sample(stop, null, 0, oldest,
                    "pg_stat_statements is not installed in the target database: only writes in flight are watched");
        }
        long calls;
        double total;
        // in a transaction, a failed read must not abort it
        java.sql.Savepoint sp = autoCommit ? null : c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement(statements(w.statementsView))) {
            ps.setString(1, w.writesTo);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                calls = rs.getLong(1);
                total = rs.getDouble(2);
            }
            if (sp != null) {
                c.releaseSavepoint(sp);
            }
        } catch (SQLException e) {
            // not preloaded (shared_preload_libraries), or no permission: the in-flight age still works
            if (sp != null) {
                c.rollback(sp);
            }
            w.statementsView = null;
            return new AdaptiveThrottle.Sample(stop, null, 0, oldest, "pg_stat_statements cannot be read ("
                    + dev.shadowshift.migration.support.SqlErrors.describe(e) + "): only writes in flight are watched");
        }
        boolean first = w.calls < 0;
        long dc = first ? calls : calls - w.calls;
        double dt = first ? total : total - w.totalMs;
        w.calls = calls;
        w.totalMs = total;
        if (dc < 0 || dt < 0) {
            // pg_stat_statements_reset() between two looks
            return new AdaptiveThrottle.Sample(stop, null, 0, oldest, "pg_stat_statements was reset");
        }
        return new AdaptiveThrottle.Sample(stop, dc == 0 ? null : dt / dc, dc, oldest,
                first ? "the writers' mean over pg_stat_statements' totals" : "the writers' mean since the previous batch");
    }

    /** A fresh decision-maker for one run, with the configured ceilings and the shadow path's batch bounds. */
    AdaptiveThrottle adaptive() {
        MigrationConfig.Throttling t = config.throttle();
        MigrationConfig.Shadow s = config.shadow();
        return new AdaptiveThrottle(new AdaptiveThrottle.Limits(t.maxWriterLatency(), t.maxWriterSlowdown(), t.pauseWriterLatency(),
                s.batchSizeMin(), s.batchSizeMax(), t.batchSizeStep(), t.sleepStep(), t.maxSleep(), t.minCalls()));
    }

    public Optional<String> reason(Connection c, String target) throws SQLException {
        Instant now = Instant.now();
        for (Alert a : critical.values()) {
            // past its endsAt a firing alert was not re-sent: the monitor is gone, and so is what it knew
            if (target.equals(a.target()) && a.firingAt(now)) {
                return Optional.of("critical alert '" + a.alertname() + "' is firing: " + a.summary());
            }
        }
        MigrationConfig.Shadow s = config.shadow();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT coalesce((SELECT max(extract(epoch FROM replay_lag)) FROM pg_stat_replication), 0),
                       (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'
                          AND backend_type = 'client backend' AND pid <> pg_backend_pid())""");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            double lag = rs.getDouble(1);
            long active = rs.getLong(2);
            if (lag * 1000 > s.maxReplicationLag().toMillis()) {
                return Optional.of("replication lag " + lag + "s is over " + s.maxReplicationLag());
            }
            if (active > s.maxActiveSessions()) {
                return Optional.of(active + " active sessions, over " + s.maxActiveSessions());
            }
        }
        return Optional.empty();
    }
}
