package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * OPTIMIZATION: the original's indexes rebuilt on the shadow with CREATE INDEX CONCURRENTLY (outside any
 * transaction, so the worker applying the change log never waits on a build), then foreign keys out and the new
 * NOT NULLs added NOT VALID (a brief lock) and VALIDATEd (no write-blocking lock). Every statement is repeatable:
 * an index a crashed build left INVALID is dropped and built again.
 */
final class Optimization {

    interface ShortLock {
        void run(String what, String sql) throws SQLException, ShadowFailure, InterruptedException;
    }

    private Optimization() {
    }

    static List<String> indexStatements(Connection c, ShadowNames n) throws SQLException, UnsupportedTable {
        List<String> sql = new ArrayList<>();
        for (TargetCatalog.Index idx : TargetCatalog.indexes(c, n.schema(), n.table())) {
            if (idx.primary()) {
                continue;
            }
            if (idx.usingClause() == null) {
                throw new UnsupportedTable("cannot rebuild index " + quote(idx.name()) + " of " + n.qualified(n.table())
                        + " on the shadow: its definition has an unexpected form");
            }
            sql.add("CREATE " + (idx.unique() ? "UNIQUE " : "") + "INDEX CONCURRENTLY IF NOT EXISTS "
                    + quote(n.shadowIndex(idx.name())) + " ON " + n.qualified(n.shadow()) + " " + idx.usingClause());
        }
        return sql;
    }

    static void start(Connection c, ShadowNames n, ShadowRebuild rebuild, ShortLock shortLock)
            throws SQLException, ShadowFailure, InterruptedException {
        c.setAutoCommit(true);
        for (TargetCatalog.Index idx : TargetCatalog.indexes(c, n.schema(), n.shadow())) {
            if (!idx.valid()) {
                try (Statement s = c.createStatement()) {
                    StatementFailed.exec(s, "DROP INDEX CONCURRENTLY IF EXISTS " + n.qualified(idx.name()));
                }
            }
        }
        try (Statement s = c.createStatement()) {
            for (String sql : indexStatements(c, n)) {
                StatementFailed.exec(s, sql);
            }
        }
        List<String> validate = new ArrayList<>();
        for (TargetCatalog.Constraint fk : TargetCatalog.foreignKeysOut(c, n.schema(), n.table())) {
            if (!hasConstraint(c, n, fk.name())) {
                String def = fk.definition().endsWith(" NOT VALID") ? fk.definition() : fk.definition() + " NOT VALID";
                shortLock.run("foreign key " + quote(fk.name()) + " on the shadow",
                        "ALTER TABLE " + n.qualified(n.shadow()) + " ADD CONSTRAINT " + quote(fk.name()) + " " + def);
            }
            if (!fk.definition().endsWith(" NOT VALID")) {
                validate.add(fk.name());
            }
        }
        for (ShadowRebuild.ColumnChange change : rebuild.changes()) {
            if (change.setNotNull()) {
                if (!hasConstraint(c, n, n.notNullCheck(change.column()))) {
                    shortLock.run("NOT NULL check on the shadow", ShadowSql.addNotNullCheck(n, change.column()));
                }
                validate.add(n.notNullCheck(change.column()));
            }
        }
        try (Statement s = c.createStatement()) {
            for (String name : validate) {
                StatementFailed.exec(s, ShadowSql.validateConstraint(n, name));
            }
        }
    }

    private static boolean hasConstraint(Connection c, ShadowNames n, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(?) AND conname = ?")) {
            ps.setString(1, n.qualified(n.shadow()));
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
