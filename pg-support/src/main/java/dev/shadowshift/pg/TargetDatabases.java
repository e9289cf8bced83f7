package dev.shadowshift.pg;

import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;

/**
 * Connections to target databases. Targets are touched rarely and for DDL, so each use opens its own connection
 * rather than holding a pool against a database we do not own.
 */
@ApplicationScoped
public class TargetDatabases {

    private final TargetsConfig config;

    public TargetDatabases(TargetsConfig config) {
        this.config = config;
    }

    public Set<String> names() {
        return new TreeSet<>(config.all().keySet());
    }

    public boolean exists(String target) {
        return config.all().containsKey(target);
    }

    public PgEndpoint endpoint(String target) {
        TargetsConfig.Target t = target(target);
        return PgEndpoint.parse(t.jdbcUrl(), t.username(), t.password());
    }

    public Connection open(String target) throws SQLException {
        return open(target, endpoint(target).database());
    }

    /** A connection to another database on the target's server, e.g. a scratch database for a restore check. */
    public Connection open(String target, String database) throws SQLException {
        return endpoint(target).connect(database);
    }

    private TargetsConfig.Target target(String name) {
        TargetsConfig.Target t = config.all().get(name);
        if (t == null) {
            throw new NoSuchElementException("unknown target '" + name + "'; configured targets: " + names());
        }
        return t;
    }
}
