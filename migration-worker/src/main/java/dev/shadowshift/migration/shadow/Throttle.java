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
