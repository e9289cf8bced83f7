package dev.shadowshift.monitor.dashboard;

import dev.shadowshift.contracts.events.MigrationProgress;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest progress per plan: in the state database (so a restart does not forget running migrations) and in
 * memory (so the dashboard's two-second refresh does not query the database).
 */
@ApplicationScoped
public class MigrationProgressStore {

    private static final String COLUMNS = "plan_id, target, status, phase, steps_done, steps_total, message, rows_copied, "
            + "rows_total, rows_per_second, eta_seconds, event_id, event_time, received_at";

    private final AgroalDataSource dataSource;
    private final Map<String, MigrationStatus> latest = new ConcurrentHashMap<>();
    private volatile boolean loaded;

    public MigrationProgressStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Fills memory from the database on first use, not at startup: Flyway may not have created the table yet when
     * startup observers run.
     */
    private void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (this) {
            if (loaded) {
                return;
            }
            try {
                load();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read migration progress from the state database: " + e.getMessage(), e);
            }
            loaded = true;
        }
    }

    private void load() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM migration_progress");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                remember(read(rs), latest);
            }
        }
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /**
     * Keeps the event if it is newer than what the plan has (events of one plan share a key and so a partition, but
     * a replay or a producer's retry may still bring an older one).
     *
     * @return the stored status if this event became the plan's latest
     */
    public Optional<MigrationStatus> upsert(Connection c, String eventId, Instant eventTime, MigrationProgress p)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO migration_progress(plan_id, target, status, phase, steps_done, steps_total, message,
                    rows_copied, rows_total, rows_per_second, eta_seconds, event_id, event_time, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
                ON CONFLICT (plan_id) DO UPDATE SET target = EXCLUDED.target, status = EXCLUDED.status,
                    phase = EXCLUDED.phase, steps_done = EXCLUDED.steps_done, steps_total = EXCLUDED.steps_total,
                    message = EXCLUDED.message, rows_copied = EXCLUDED.rows_copied, rows_total = EXCLUDED.rows_total,
                    rows_per_second = EXCLUDED.rows_per_second, eta_seconds = EXCLUDED.eta_seconds,
                    event_id = EXCLUDED.event_id, event_time = EXCLUDED.event_time, received_at = EXCLUDED.received_at
                WHERE migration_progress.event_time <= EXCLUDED.event_time
                RETURNING\s""" + COLUMNS)) {
            ps.setString(1, p.planId());
            ps.setString(2, p.target());
            ps.setString(3, p.status());
            ps.setString(4, p.phase());
            ps.setInt(5, p.stepsDone());
            ps.setInt(6, p.stepsTotal());
            ps.setString(7, p.message());
            setLong(ps, 8, p.rowsCopied());
            setLong(ps, 9, p.rowsTotal());
            if (p.rowsPerSecond() == null) {
                ps.setNull(10, Types.DOUBLE);
            } else {
                ps.setDouble(10, p.rowsPerSecond());
            }
            setLong(ps, 11, p.etaSeconds());
            ps.setString(12, eventId);
            ps.setTimestamp(13, Timestamp.from(eventTime));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Called after the commit, so memory never shows what the database does not have. */
    public void remember(MigrationStatus status) {
        ensureLoaded();
        remember(status, latest);
    }

    private static void remember(MigrationStatus status, Map<String, MigrationStatus> latest) {
        latest.merge(status.planId(), status, (old, neu) -> neu.eventTime().isBefore(old.eventTime()) ? old : neu);
    }

    /** Most recently updated plans first. */
    public List<MigrationStatus> latest() {
        ensureLoaded();
        return latest.values().stream().sorted(Comparator.comparing(MigrationStatus::eventTime).reversed()).toList();
    }

    private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    private static MigrationStatus read(ResultSet rs) throws SQLException {
        return new MigrationStatus(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                rs.getInt(6), rs.getString(7), (Long) rs.getObject(8, Long.class), rs.getObject(9, Long.class),
                rs.getObject(10, Double.class), rs.getObject(11, Long.class), rs.getString(12),
                rs.getTimestamp(13).toInstant(), rs.getTimestamp(14).toInstant());
    }
}
