package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * SHADOW, part one: the shadow table (LIKE the original, then the new column types, then the primary key), the
 * change log, the backfill position and the capture triggers that append to the log (the log, the position and the
 * triggers' functions in the tool's schema, {@link ShadowNames#TOOL_SCHEMA}), all in ONE transaction:
 * either everything exists or nothing does. The
 * statements first drop whatever an interrupted earlier attempt may have left, so running this twice is safe
 * (before the backfill nothing in the shadow is worth keeping: the capture starts with it).
 */
final class CreateShadow {

    private CreateShadow() {
    }

    /** @param serverMajor the target's major version (the change log's vacuum setting exists from 13 on) */
    /** @param triggers false for logical capture: the worker fills the change log from the replication slot */
    static List<String> statements(ShadowNames n, TableShape shape, ShadowRebuild rebuild, int serverMajor, boolean triggers) {
        List<String> sql = new ArrayList<>();
        // the capture's own objects go to the tool's schema: nothing but the shadow table lands in the user's
        sql.add("CREATE SCHEMA IF NOT EXISTS " + quote(ShadowNames.TOOL_SCHEMA));
        sql.addAll(Abandon.statements(n, true));
        sql.add(ShadowSql.createShadowTable(n));
        sql.addAll(ShadowSql.alterShadowTypes(n, rebuild));
        sql.add(ShadowSql.addPrimaryKey(n, shape));
        sql.add(ShadowSql.createChangeLog(n, shape));
        if (serverMajor >= 13) {
            // an insert-driven autovacuum (13+) would scan the growing log again and again, in the clients' CPU,
            // for rows that are only waiting to be deleted; the deletes still get it vacuumed
            sql.add("ALTER TABLE " + n.tool(n.changeLog()) + " SET (autovacuum_vacuum_insert_threshold = -1)");
        }
        sql.addAll(ShadowSql.createBackfillPosition(n, shape));
        if (triggers) {
            sql.add(ShadowSql.captureFunction(n, shape));
            sql.add(ShadowSql.captureTruncateFunction(n));
            sql.addAll(ShadowSql.captureTriggers(n));
        }
        return sql;
    }

    /** Runs inside the caller's short-lock transaction (CREATE TRIGGER takes SHARE ROW EXCLUSIVE on the original). */
    static void start(Connection c, ShadowNames n, TableShape shape, ShadowRebuild rebuild, boolean triggers) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements(n, shape, rebuild, c.getMetaData().getDatabaseMajorVersion(), triggers)) {
                StatementFailed.exec(s, sql);
            }
        }
    }

    static String describe(ShadowNames n) {
        return "created " + n.qualified(n.shadow()) + ", change log " + n.tool(n.changeLog()) + " and capture trigger " + quote(n.captureTrigger());
    }
}
