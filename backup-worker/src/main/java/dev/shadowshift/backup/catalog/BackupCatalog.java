package dev.shadowshift.backup.catalog;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The backups table. */
@ApplicationScoped
public class BackupCatalog {

    private static final String COLUMNS = "backup_id, plan_id, target, tables, location, format, size_bytes, sha256, "
            + "archive_entries, status, reason, created_at, verified_at, expires_at";

    private final DataSource dataSource;

    public BackupCatalog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** @return false if the plan already has a backup (another delivery got there first); nothing changes then */
    public boolean insert(Connection c, BackupEntry e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO backups(" + COLUMNS + ") "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, now()), ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, e.backupId());
            ps.setString(2, e.planId());
            ps.setString(3, e.target());
            ps.setArray(4, c.createArrayOf("text", e.tables().toArray()));
            ps.setString(5, e.location());
            ps.setString(6, e.format());
            ps.setObject(7, e.sizeBytes(), Types.BIGINT);
            ps.setString(8, e.sha256());
            ps.setObject(9, e.archiveEntries(), Types.INTEGER);
            ps.setString(10, e.status());
            ps.setString(11, e.reason());
            ps.setObject(12, e.createdAt());
            ps.setObject(13, e.verifiedAt());
            ps.setObject(14, e.expiresAt());
            return ps.executeUpdate() == 1;
        }
    }

    public Optional<BackupEntry> find(String backupId) throws SQLException {
        return one("backup_id", backupId);
    }

    public Optional<BackupEntry> findByPlan(String planId) throws SQLException {
        return one("plan_id", planId);
    }

    /** Newest first, optionally only one plan's. */
    public List<BackupEntry> list(String planId, int limit) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM backups WHERE (?::text IS NULL OR plan_id = ?)"
                     + " ORDER BY created_at DESC, backup_id LIMIT ?")) {
            ps.setString(1, planId);
            ps.setString(2, planId);
            ps.setInt(3, limit);
            return all(ps);
        }
    }

    public List<BackupEntry> expired(OffsetDateTime now) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                     + " FROM backups WHERE status = 'VERIFIED' AND expires_at <= ? ORDER BY expires_at")) {
            ps.setObject(1, now);
            return all(ps);
        }
    }

    public void markExpired(String backupId) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE backups SET status = 'EXPIRED', reason = 'retention period ended; file deleted' "
                             + "WHERE backup_id = ? AND status = 'VERIFIED'")) {
            ps.setString(1, backupId);
            ps.executeUpdate();
        }
    }

    private Optional<BackupEntry> one(String column, String value) throws SQLException {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM backups WHERE " + column + " = ?")) {
            ps.setString(1, value);
            List<BackupEntry> found = all(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    private static List<BackupEntry> all(PreparedStatement ps) throws SQLException {
        List<BackupEntry> entries = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Array tables = rs.getArray(4);
                entries.add(new BackupEntry(rs.getString(1), rs.getString(2), rs.getString(3),
                        Arrays.asList((String[]) tables.getArray()), rs.getString(5), rs.getString(6),
                        (Long) rs.getObject(7), rs.getString(8), (Integer) rs.getObject(9), rs.getString(10),
                        rs.getString(11), rs.getObject(12, OffsetDateTime.class), rs.getObject(13, OffsetDateTime.class),
                        rs.getObject(14, OffsetDateTime.class)));
            }
        }
        return entries;
    }
}
