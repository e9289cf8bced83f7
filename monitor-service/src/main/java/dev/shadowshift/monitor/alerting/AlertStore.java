package dev.shadowshift.monitor.alerting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.monitor.rules.Severity;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Alerts in the state database: one row per episode. The row with status FIRING is the alert's memory across polls
 * and restarts; RESOLVED rows are the history.
 */
@ApplicationScoped
public class AlertStore {

    private static final String COLUMNS =
            "fingerprint, rule, target, severity, status, labels::text, summary, value, threshold, starts_at, ends_at, last_seen_at";

    private final AgroalDataSource dataSource;

    public AlertStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /**
     * Serialises reconciliation of one target across monitor instances and overlapping polls, for the rest of the
     * transaction: the second one sees the first one's result instead of firing the same alert again.
     */
    public void lockTarget(Connection c, String target) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('shadowshift-monitor/' || ?))")) {
            ps.setString(1, target);
            ps.executeQuery().close();
        }
    }

    public List<ActiveAlert> firing(Connection c, String target) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM alerts WHERE target = ? AND status = 'FIRING' ORDER BY starts_at")) {
            ps.setString(1, target);
            return list(ps);
        }
    }

    public List<ActiveAlert> allFiring() throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT " + COLUMNS + " FROM alerts WHERE status = 'FIRING' ORDER BY severity DESC, starts_at")) {
            return list(ps);
        }
    }

    /** Most recent episodes first, resolved and firing alike. */
    public List<ActiveAlert> history(int limit) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT " + COLUMNS + " FROM alerts ORDER BY coalesce(ends_at, last_seen_at) DESC, id DESC LIMIT ?")) {
            ps.setInt(1, limit);
            return list(ps);
        }
    }

    public void apply(Connection c, AlertStateMachine.Change change) throws SQLException {
        ActiveAlert a = change.alert();
        if (change.kind() == AlertStateMachine.Kind.FIRED) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO alerts(fingerprint, rule, target, severity, status, labels, summary, value, threshold,
                                       starts_at, ends_at, last_seen_at)
                    VALUES (?, ?, ?, ?, 'FIRING', ?::jsonb, ?, ?, ?, ?, NULL, ?)""")) {
                ps.setString(1, a.fingerprint());
                ps.setString(2, a.rule());
                ps.setString(3, a.target());
                ps.setString(4, a.severity().name());
                ps.setString(5, json(a.labels()));
                ps.setString(6, a.summary());
                ps.setDouble(7, a.value());
                ps.setDouble(8, a.threshold());
                ps.setTimestamp(9, Timestamp.from(a.startsAt()));
                ps.setTimestamp(10, Timestamp.from(a.lastSeenAt()));
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE alerts SET severity = ?, status = ?, labels = ?::jsonb, summary = ?, value = ?, threshold = ?,
                                  ends_at = ?, last_seen_at = ?
                WHERE fingerprint = ? AND status = 'FIRING'""")) {
            ps.setString(1, a.severity().name());
            ps.setString(2, a.status().name());
            ps.setString(3, json(a.labels()));
            ps.setString(4, a.summary());
            ps.setDouble(5, a.value());
            ps.setDouble(6, a.threshold());
            ps.setTimestamp(7, a.endsAt() == null ? null : Timestamp.from(a.endsAt()));
            ps.setTimestamp(8, Timestamp.from(a.lastSeenAt()));
            ps.setString(9, a.fingerprint());
            if (ps.executeUpdate() != 1) {
                throw new SQLException("alert " + a.fingerprint() + " is no longer firing in the state database");
            }
        }
    }

    private static List<ActiveAlert> list(PreparedStatement ps) throws SQLException {
        List<ActiveAlert> alerts = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Timestamp ends = rs.getTimestamp(11);
                alerts.add(new ActiveAlert(rs.getString(1), rs.getString(2), rs.getString(3),
                        Severity.valueOf(rs.getString(4)), ActiveAlert.Status.valueOf(rs.getString(5)),
                        labels(rs.getString(6)), rs.getString(7), rs.getDouble(8), rs.getDouble(9),
                        rs.getTimestamp(10).toInstant(), ends == null ? null : ends.toInstant(),
                        rs.getTimestamp(12).toInstant()));
            }
        }
        return alerts;
    }

    private static String json(Map<String, String> labels) {
        try {
            return EventCodec.mapper().writeValueAsString(labels);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> labels(String json) throws SQLException {
        try {
            return EventCodec.mapper().readValue(json, new TypeReference<java.util.LinkedHashMap<String, String>>() {
            });
        } catch (JsonProcessingException e) {
            throw new SQLException("labels column does not hold a JSON object of strings", e);
        }
    }
}
