package dev.shadowshift.migration.shadow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The catalog queries of the shadow path: a table's shape and everything that depends on it. */
final class TargetCatalog {

    /** An index and its definition with everything before USING stripped: {@code USING btree (x) WHERE ...}. */
    record Index(String name, boolean primary, boolean unique, boolean valid, String usingClause, String constraint) {
    }

    record Constraint(String table, String schema, String name, String definition) {
    }

    record View(String schema, String name, String definition) {
    }

    /**
     * A materialized view, its definition without the trailing semicolon (so that WITH NO DATA can follow it) and its
     * storage clause as the server would need it again ({@code  WITH (...) TABLESPACE ...}, or empty).
     */
    record MaterializedView(String schema, String name, String definition, boolean populated, String storage) {
    }

    record Trigger(String name, String definition, boolean enabled) {
    }

    record OwnedSequence(String schema, String name, String column, boolean identity) {
    }

    private TargetCatalog() {
    }

    static Optional<TableShape> shape(Connection c, String schema, String table) throws SQLException {
        List<TableShape.Column> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attgenerated <> '', a.attidentity
                FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = ? AND t.relname = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new TableShape.Column(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4), rs.getString(5)));
                }
            }
        }
        if (columns.isEmpty()) {
            return Optional.empty();
        }
        List<String> pk = new ArrayList<>();
        String pkName = null;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT ic.relname, a.attname
                FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY k.ord""")) {
            ps.setString(1, qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pkName = rs.getString(1);
                    pk.add(rs.getString(2));
                }
            }
        }
        return Optional.of(new TableShape(schema, table, columns, pk, pkName));
    }

    static boolean exists(Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    static List<Index> indexes(Connection c, String schema, String table) throws SQLException {
        List<Index> out = new ArrayList<>();
        // pg_get_indexdef prints 'CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING ...'; the prefix is rebuilt
        // here with quote_ident exactly as the server prints it, so stripping it can never cut inside a name
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT ic.relname, i.indisprimary, i.indisunique, i.indisvalid, pg_get_indexdef(i.indexrelid),
                       'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname)
                           || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(t.relname) || ' ',
                       con.conname
                FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = t.oid AND con.contype IN ('p', 'u')
                WHERE i.indrelid = to_regclass(?) ORDER BY ic.relname""")) {
            ps.setString(1, qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String def = rs.getString(5);
                    String prefix = rs.getString(6);
                    String using = def.startsWith(prefix) ? def.substring(prefix.length()) : null;
                    out.add(new Index(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4), using, rs.getString(7)));
                }
            }
        }
        return out;
    }

    /** Foreign keys of the table (out) — with their definitions as the server prints them. */
    static List<Constraint> foreignKeysOut(Connection c, String schema, String table) throws SQLException {
        return constraints(c, "con.conrelid = to_regclass(?) AND con.contype = 'f'", qualified(schema, table));
    }

    /** Foreign keys of other tables that reference this one (in). */
    static List<Constraint> foreignKeysIn(Connection c, String schema, String table) throws SQLException {
        return constraints(c, "con.confrelid = to_regclass(?) AND con.conrelid <> con.confrelid AND con.contype = 'f'",
                qualified(schema, table));
    }

    private static List<Constraint> constraints(Connection c, String where, String table) throws SQLException {
        List<Constraint> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT t.relname, n.nspname, con.conname, pg_get_constraintdef(con.oid)
                FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE\s""" + where + " ORDER BY con.conname")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Constraint(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    /**
     * Plain views that select from the relation (a table or a materialized view) directly, with their current
     * definitions. Materialized views are not among them: see {@link #materializedViews}.
     */
    static List<View> views(Connection c, String schema, String table) throws SQLException {
        List<View> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT vn.nspname, v.relname, pg_get_viewdef(v.oid)
                FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
                JOIN pg_namespace vn ON vn.oid = v.relnamespace
                WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = to_regclass(?) AND v.oid <> d.refobjid
                  AND v.relkind = 'v' ORDER BY 1, 2""")) {
            ps.setString(1, qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new View(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** Materialized views that select from the relation directly, with their current definitions. */
    static List<MaterializedView> materializedViews(Connection c, String schema, String table) throws SQLException {
        List<MaterializedView> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT vn.nspname, v.relname, pg_get_viewdef(v.oid), v.relispopulated,
                       CASE WHEN v.reloptions IS NULL THEN '' ELSE ' WITH (' || array_to_string(ARRAY(
                           SELECT quote_ident(split_part(o, '=', 1)) || ' = ' || quote_literal(substr(o, strpos(o, '=') + 1))
                           FROM unnest(v.reloptions) o), ', ') || ')' END
                       || CASE WHEN v.reltablespace = 0 THEN '' ELSE ' TABLESPACE ' || quote_ident(ts.spcname) END
                FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
                JOIN pg_namespace vn ON vn.oid = v.relnamespace LEFT JOIN pg_tablespace ts ON ts.oid = v.reltablespace
                WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = to_regclass(?) AND v.oid <> d.refobjid
                  AND v.relkind = 'm' ORDER BY 1, 2""")) {
            ps.setString(1, qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String definition = rs.getString(3).strip();
                    if (definition.endsWith(";")) {
                        definition = definition.substring(0, definition.length() - 1);
                    }
                    out.add(new MaterializedView(rs.getString(1), rs.getString(2), definition, rs.getBoolean(4), rs.getString(5)));
                }
            }
        }
        return out;
    }

    /** Whether a materialized view is populated; empty when there is no materialized view of that name. */
    static Optional<Boolean> matviewPopulated(Connection c, String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT relispopulated FROM pg_class WHERE oid = to_regclass(?) AND relkind = 'm'")) {
            ps.setString(1, qualified(schema, name));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBoolean(1)) : Optional.empty();
            }
        }
    }

    /** User triggers (not constraint triggers, not ours). */
    static List<Trigger> userTriggers(Connection c, String schema, String table) throws SQLException {
        List<Trigger> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT tg.tgname, pg_get_triggerdef(tg.oid), tg.tgenabled <> 'D'
                FROM pg_trigger tg WHERE tg.tgrelid = to_regclass(?) AND NOT tg.tgisinternal
                  AND tg.tgname NOT LIKE '%\\_ss\\_%' ORDER BY tg.tgname""")) {
            ps.setString(1, qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Trigger(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
                }
            }
        }
        return out;
    }

    /** Sequences owned by a column of the table: serial ('a') and identity ('i') dependencies. */
    static List<OwnedSequence> ownedSequences(Connection c, String schema, String table) throws SQLException {
        List<OwnedSequence> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT sn.nspname, s.relname, a.attname, d.deptype = 'i'
                FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                JOIN pg_namespace sn ON sn.oid = s.relnamespace
                JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE d.classid = 'pg_class'::regclass AND d.refobjid = to_regclass(?) AND d.deptype IN ('a', 'i')
                ORDER BY a.attname""")) {
            ps.setString(1, qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new OwnedSequence(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
                }
            }
        }
        return out;
    }

    /** GRANT statements reproducing the table's privileges on another table, formatted by the server. */
    static List<String> grantsFor(Connection c, String schema, String table, String qualifiedOther) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT format('GRANT %s ON %s TO %s%s', a.privilege_type, ?,
                              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
                FROM pg_class t CROSS JOIN LATERAL aclexplode(t.relacl) a
                WHERE t.oid = to_regclass(?) AND a.grantee <> t.relowner
                UNION ALL
                -- column privileges live on pg_attribute, not on the table's ACL
                SELECT format('GRANT %s (%s) ON %s TO %s%s', a.privilege_type, quote_ident(att.attname), ?,
                              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                              CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
                FROM pg_class t JOIN pg_attribute att ON att.attrelid = t.oid CROSS JOIN LATERAL aclexplode(att.attacl) a
                WHERE t.oid = to_regclass(?) AND att.attnum > 0 AND NOT att.attisdropped AND a.grantee <> t.relowner""")) {
            ps.setString(1, qualifiedOther);
            ps.setString(2, qualified(schema, table));
            ps.setString(3, qualifiedOther);
            ps.setString(4, qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** COMMENT ON TABLE and ALTER TABLE OWNER TO for another table, formatted by the server; empty when none. */
    static List<String> commentAndOwnerFor(Connection c, String schema, String table, String qualifiedOther) throws SQLException {
        return commentAndOwnerFor(c, schema, table, qualifiedOther, "TABLE");
    }

    /** @param kind the object kind as COMMENT ON and ALTER name it: TABLE, or MATERIALIZED VIEW (COMMENT ON TABLE refuses one) */
    static List<String> commentAndOwnerFor(Connection c, String schema, String table, String qualifiedOther, String kind)
            throws SQLException {
        if (!kind.equals("TABLE") && !kind.equals("MATERIALIZED VIEW")) {
            throw new IllegalArgumentException("not a relation kind: " + kind);
        }
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT CASE WHEN obj_description(t.oid, 'pg_class') IS NOT NULL
                            THEN format('COMMENT ON %s %s IS %L', ?, ?, obj_description(t.oid, 'pg_class')) END,
                       format('ALTER %s %s OWNER TO %s', ?, ?, quote_ident(pg_get_userbyid(t.relowner)))
                FROM pg_class t WHERE t.oid = to_regclass(?)""")) {
            ps.setString(1, kind);
            ps.setString(2, qualifiedOther);
            ps.setString(3, kind);
            ps.setString(4, qualifiedOther);
            ps.setString(5, qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (rs.getString(1) != null) {
                        out.add(rs.getString(1));
                    }
                    out.add(rs.getString(2));
                }
            }
        }
        return out;
    }

    static String qualified(String schema, String table) {
        return dev.shadowshift.pg.SqlIdentifiers.qualified(schema, table);
    }
}
