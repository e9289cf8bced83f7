package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.CatalogReader;
import dev.shadowshift.pg.LiveSchema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The target server is the authority on type names: {@code to_regtype} says whether it knows one (a bound value,
 * nothing is executed), {@code format_type} how it spells it, and the type's own typmod input function turns a
 * modifier such as {@code (12,2)} into the typmod format_type prints. A literal default is cast by the server, as a
 * bound value, to the type it claims. The I/O side of validation: the operations themselves stay pure.
 */
public final class ServerTypes {

    /** Only the shapes format_type prints reach the server at all: a name of words, a modifier, brackets. */
    private static final Pattern SHAPE = Pattern.compile(
            "^(?:[a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*(?: [a-z_][a-z0-9_]*)*(?:\\((\\d{1,4})(?:,(\\d{1,4}))?\\))?(?: with(?:out)? time zone)?(?:\\[\\])*$");
    private static final Pattern MODIFIER = Pattern.compile("\\((\\d{1,4})(?:,(\\d{1,4}))?\\)");

    private ServerTypes() {
    }

    /** Reads the schema and resolves what the changes mention: the catalog the operations validate against. */
    public static Catalog catalog(Connection c, String schema, List<SchemaChange> changes) throws SQLException {
        LiveSchema live = CatalogReader.read(c, schema);
        Map<String, String> types = resolve(c, Operations.typeNames(changes));
        Map<String, String> literals = new HashMap<>();
        for (SchemaChange change : changes) {
            SchemaChange.TypedLiteral d = change.defaultValue();
            if (d != null && d.type() != null && d.value() != null && types.containsKey(d.type())) {
                String type = types.get(d.type());
                cast(c, d.value(), type).ifPresent(v -> literals.put(Catalog.literalKey(type, d.value()), v));
            }
        }
        return Catalog.of(live, types, literals);
    }

    /** The canonical spelling of each name the server knows; unknown or malformed names are absent. */
    public static Map<String, String> resolve(Connection c, Collection<String> names) throws SQLException {
        Map<String, String> out = new HashMap<>();
        for (String name : names) {
            canonical(c, name).ifPresent(t -> out.put(name, t));
        }
        return out;
    }

    public static Optional<String> canonical(Connection c, String name) throws SQLException {
        if (name == null || name.length() > 80 || !SHAPE.matcher(name).matches()) {
            return Optional.empty();
        }
        Matcher m = MODIFIER.matcher(name);
        String base = m.find() ? (name.substring(0, m.start()) + name.substring(m.end())).replace("  ", " ").trim() : name;
        String modifier = m.find(0) ? m.group(2) == null ? m.group(1) : m.group(1) + "," + m.group(2) : null;
        Long oid;
        String typmodin;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT t.oid, CASE WHEN t.typmodin = 0 THEN NULL ELSE quote_ident(n.nspname) || '.' || quote_ident(p.proname) END
                FROM pg_type t LEFT JOIN pg_proc p ON p.oid = t.typmodin LEFT JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE t.oid = to_regtype(?)""")) {
            ps.setString(1, base);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                oid = rs.getLong(1);
                typmodin = rs.getString(2);
            }
        } catch (SQLException e) {
            // to_regtype raises only for syntax it cannot parse at all; that is an unknown type, not a failure
            if (e.getSQLState() != null && e.getSQLState().startsWith("42")) {
                return Optional.empty();
            }
            throw e;
        }
        if (modifier == null) {
            return scalar(c, "SELECT format_type(?::oid, NULL)", oid, null);
        }
        if (typmodin == null) {
            return Optional.empty();
        }
        // typmodin is the server's own, quoted function name (numerictypmodin, varchartypmodin, ...)
        return scalar(c, "SELECT format_type(?::oid, " + typmodin + "(string_to_array(?, ',')::cstring[]))", oid, modifier);
    }

    /** The value cast by the server to the (canonical) type, as text; empty when it does not cast. */
    public static Optional<String> cast(Connection c, String value, String canonicalType) throws SQLException {
        boolean inTransaction = !c.getAutoCommit();
        Savepoint sp = inTransaction ? c.setSavepoint() : null;
        try (PreparedStatement ps = c.prepareStatement("SELECT CAST(CAST(? AS text) AS " + canonicalType + ")::text")) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.ofNullable(rs.getString(1));
            }
        } catch (SQLException e) {
            if (sp != null) {
                c.rollback(sp);
            }
            if (e.getSQLState() != null && (e.getSQLState().startsWith("22") || e.getSQLState().startsWith("23"))) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Optional<String> scalar(Connection c, String sql, long oid, String text) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, oid);
            if (text != null) {
                ps.setString(2, text);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            // a modifier the type refuses (numeric(2000)): 22023 invalid_parameter_value
            if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
