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
 * <p>Before every batch it also looks at what writers experience ({@link #look}): a canary write's latency
 * ({@link WriteProbe}) and the oldest client write to the table in flight, from which {@link AdaptiveThrottle}
 * decides the batch size, the sleep and pauses. monitor-service's migration_impact watches lock waits and
 * pg_stat_statements on its poll interval, where it runs; this look is the worker's own, per batch, and works for
 * {@code ./shadowshift migrate} too.
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
     * A case-insensitive POSIX regular expression for a statement that writes to {@code schema.table}: the verb
     * (INSERT INTO, UPDATE, DELETE FROM, MERGE INTO; a leading WITH ... is not looked into), then the table,
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

    /** The oldest client write to the table in flight: the tool's own sessions (application_name shadowshift*) left out. */
    private static final String IN_FLIGHT = """
            SELECT coalesce(max(extract(epoch FROM clock_timestamp() - query_start)) * 1000, 0)
            FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND backend_type = 'client backend'
              AND pid <> pg_backend_pid() AND application_name NOT LIKE 'shadowshift%' AND query ~* ?""";

    /**
     * One look for {@link AdaptiveThrottle}: the hard stops ({@link #reason}), the oldest client write to the table in
     * flight ({@code writesTo}, from {@link #writesTo}), and the canary writes since the previous look.
     */
    AdaptiveThrottle.Sample look(Connection c, String target, String writesTo, WriteProbe probe) throws SQLException {
        if (!c.getAutoCommit()) {
            // inside a transaction (logical capture's snapshot) pg_stat_activity is read once and kept: look afresh
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_stat_clear_snapshot()")) {
                ps.execute();
            }
        }
        String stop = reason(c, target).orElse(null);
        double oldest;
        try (PreparedStatement ps = c.prepareStatement(IN_FLIGHT)) {
            ps.setString(1, writesTo);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                oldest = rs.getDouble(1);
            }
        }
        WriteProbe.Window w = probe.take();
        return new AdaptiveThrottle.Sample(stop, w.probes(), w.meanMs(), w.maxMs(), oldest);
    }

    MigrationConfig.Throttling limits() {
        return config.throttle();
    }

    /** A fresh decision-maker for one run, with the configured ceilings and the shadow path's batch bounds. */
    AdaptiveThrottle adaptive() {
        MigrationConfig.Throttling t = config.throttle();
        MigrationConfig.Shadow s = config.shadow();
        return new AdaptiveThrottle(new AdaptiveThrottle.Limits(t.maxWriterLatency(), t.maxWriterSlowdown(), t.pauseWriterLatency(),
                s.batchSizeMin(), s.batchSizeMax(), t.batchSizeStep(), t.sleepStep(), t.maxSleep(), t.minProbes()));
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
