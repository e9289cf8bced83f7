package dev.shadowshift.migration.intake;

import dev.shadowshift.pg.TargetDatabases;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** What the planner needs to know about the live target: which touched tables exist and roughly how big they are. */
@ApplicationScoped
public class RowEstimates {

    private final TargetDatabases targets;

    public RowEstimates(TargetDatabases targets) {
        this.targets = targets;
    }

    /** pg_class.reltuples per existing table (0 for never-analysed tables, where PostgreSQL reports -1). */
    public Map<String, Long> read(String target, String schema, Collection<String> tables) throws SQLException {
        Map<String, Long> rows = new HashMap<>();
        if (tables.isEmpty()) {
            return rows;
        }
        try (Connection c = targets.open(target);
             PreparedStatement ps = c.prepareStatement("""
                     SELECT c.relname, greatest(c.reltuples, 0)::bigint
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND c.relname = ANY(?)""")) {
            ps.setString(1, schema);
            ps.setArray(2, c.createArrayOf("text", tables.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return rows;
    }
}
