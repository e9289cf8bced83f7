package dev.shadowshift.schema.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.schema.compile.CompiledModel;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The registry tables in the state database. Methods that take a {@link Connection} run inside the caller's
 * transaction; the others open their own.
 */
@ApplicationScoped
public class RegistryStore {

    private static final String VERSION_COLUMNS = """
            subject, version, previous_version, content_hash, spec_format, target, schema_name, objects, compatibility,
            event_id, source_event_id, created_at, published_at, compiled_model::text, diff::text""";
    private static final TypeReference<List<SchemaChange>> CHANGES = new TypeReference<>() {
    };

    private final AgroalDataSource dataSource;
    private final ObjectMapper mapper = EventCodec.mapper();

    public RegistryStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Connection begin() throws SQLException {
        Connection c = dataSource.getConnection();
        c.setAutoCommit(false);
        return c;
    }

    /**
     * Creates the subject if need be and locks its row until the transaction ends, so that two submissions for the
     * same subject cannot both become version N.
     *
     * @return the subject's compatibility
     */
    public String lockSubject(Connection c, String subject, String defaultCompatibility) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO subjects(name, compatibility) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
            ps.setString(1, subject);
            ps.setString(2, defaultCompatibility);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT compatibility FROM subjects WHERE name = ? FOR UPDATE")) {
            ps.setString(1, subject);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    public Optional<StoredVersion> latest(Connection c, String subject) throws SQLException {
        return one(c, "SELECT " + VERSION_COLUMNS + " FROM versions WHERE subject = ? ORDER BY version DESC LIMIT 1", subject);
    }

    public Optional<Integer> versionWithHash(Connection c, String subject, String contentHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM versions WHERE subject = ? AND content_hash = ?")) {
            ps.setString(1, subject);
            ps.setString(2, contentHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getInt(1)) : Optional.empty();
            }
        }
    }

    public Optional<StoredVersion> bySourceEvent(Connection c, String sourceEventId) throws SQLException {
        return one(c, "SELECT " + VERSION_COLUMNS + " FROM versions WHERE source_event_id = ?", sourceEventId);
    }

    public void insert(Connection c, StoredVersion v, byte[] rawSpec) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO versions(subject, version, previous_version, content_hash, raw_spec, spec_format, compiled_model,
                                     diff, target, schema_name, objects, compatibility, event_id, source_event_id)
                VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, v.subject());
            ps.setInt(2, v.version());
            ps.setObject(3, v.previousVersion());
            ps.setString(4, v.contentHash());
            ps.setBytes(5, gzip(rawSpec));
            ps.setString(6, v.format());
            ps.setString(7, json(v.model()));
            ps.setString(8, json(v.changes()));
            ps.setString(9, v.target());
            ps.setString(10, v.schema());
            ps.setArray(11, v.objects() == null ? null : c.createArrayOf("text", v.objects().toArray()));
            ps.setString(12, v.compatibility());
            ps.setString(13, v.eventId());
            ps.setString(14, v.sourceEventId());
            ps.executeUpdate();
        }
    }

    public void markPublished(String subject, int version) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE versions SET published_at = now() WHERE subject = ? AND version = ? AND published_at IS NULL")) {
            ps.setString(1, subject);
            ps.setInt(2, version);
            ps.executeUpdate();
        }
    }

    public List<SubjectSummary> subjects() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT s.name, s.compatibility, s.created_at, max(v.version)
                     FROM subjects s LEFT JOIN versions v ON v.subject = s.name
                     GROUP BY s.name, s.compatibility, s.created_at
                     ORDER BY s.name""");
             ResultSet rs = ps.executeQuery()) {
            List<SubjectSummary> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new SubjectSummary(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class),
                        (Integer) rs.getObject(4)));
            }
            return out;
        }
    }

    /** @return empty when the subject does not exist */
    public Optional<List<StoredVersion>> versions(String subject) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!subjectExists(c, subject)) {
                return Optional.empty();
            }
            return Optional.of(many(c, "SELECT " + VERSION_COLUMNS + " FROM versions WHERE subject = ? ORDER BY version", subject));
        }
    }

    public Optional<StoredVersion> version(String subject, int version) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + VERSION_COLUMNS + " FROM versions WHERE subject = ? AND version = ?")) {
            ps.setString(1, subject);
            ps.setInt(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public Optional<StoredVersion> latest(String subject) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return latest(c, subject);
        }
    }

    /** Versions whose spec-changed never reached Kafka, oldest first, registered at least {@code settle} ago. */
    public List<StoredVersion> unpublished(java.time.Duration settle) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return many(c, "SELECT " + VERSION_COLUMNS + " FROM versions WHERE published_at IS NULL"
                    + " AND created_at < now() - make_interval(secs => ?::double precision) ORDER BY created_at",
                    Double.toString(settle.toMillis() / 1000.0));
        }
    }

    public Optional<byte[]> rawSpec(String subject, int version) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT raw_spec FROM versions WHERE subject = ? AND version = ?")) {
            ps.setString(1, subject);
            ps.setInt(2, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(gunzip(rs.getBytes(1))) : Optional.empty();
            }
        }
    }

    private static boolean subjectExists(Connection c, String subject) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM subjects WHERE name = ?")) {
            ps.setString(1, subject);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private Optional<StoredVersion> one(Connection c, String sql, String param) throws SQLException {
        List<StoredVersion> all = many(c, sql, param);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private List<StoredVersion> many(Connection c, String sql, String param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                List<StoredVersion> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(read(rs));
                }
                return out;
            }
        }
    }

    private StoredVersion read(ResultSet rs) throws SQLException {
        Array objects = rs.getArray(8);
        try {
            return new StoredVersion(rs.getString(1), rs.getInt(2), (Integer) rs.getObject(3), rs.getString(4),
                    rs.getString(5), rs.getString(6), rs.getString(7),
                    objects == null ? null : Arrays.asList((String[]) objects.getArray()),
                    rs.getString(9), rs.getString(10), rs.getString(11),
                    rs.getObject(12, OffsetDateTime.class), rs.getObject(13, OffsetDateTime.class),
                    mapper.readValue(rs.getString(14), CompiledModel.class),
                    mapper.readValue(rs.getString(15), CHANGES));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored version " + rs.getString(1) + " v" + rs.getInt(2) + " is unreadable", e);
        }
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, raw.length / 8));
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] compressed) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
