package dev.shadowshift.schema.diff;

import dev.shadowshift.pg.CatalogReader;
import dev.shadowshift.pg.LiveSchema;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.schema.SchemaServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Reads what a target schema holds now. Read-only, with a statement timeout: this service never changes a target. */
@ApplicationScoped
public class TargetCatalog {

    private final TargetDatabases targets;
    private final SchemaServiceConfig config;

    public TargetCatalog(TargetDatabases targets, SchemaServiceConfig config) {
        this.targets = targets;
        this.config = config;
    }

    public boolean knows(String target) {
        return targets.exists(target);
    }

    public java.util.Set<String> names() {
        return targets.names();
    }

    public LiveSchema read(String target, String schema) throws SQLException {
        try (Connection c = targets.open(target)) {
            c.setReadOnly(true);
            // one snapshot for all the catalog queries
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('statement_timeout', ?, true)")) {
                ps.setString(1, config.catalogStatementTimeout().toMillis() + "ms");
                ps.execute();
            }
            LiveSchema live = CatalogReader.read(c, schema);
            c.rollback();
            return live;
        }
    }
}
