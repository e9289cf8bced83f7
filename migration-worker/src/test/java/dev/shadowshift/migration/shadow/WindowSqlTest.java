package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the rollback window runs in the clients' writes, and where its objects live (the replay is tested on a real server). */
class WindowSqlTest {

    private static final ShadowNames NAMES = ShadowNames.of("plan-1", "shop", "orders");
    /** The rebuilt table, serving during the window: amount became numeric. */
    private static final TableShape REBUILT = new TableShape("shop", "orders", List.of(
            new TableShape.Column("id", "bigint", true, false, ""),
            new TableShape.Column("amount", "numeric", false, false, ""),
            new TableShape.Column("memo", "text", false, false, "")), List.of("id"), "orders_pkey");
    private static final Map<String, ShadowRebuild.ColumnChange> BACK = Map.of("amount",
            new ShadowRebuild.ColumnChange("amount", "bigint", "numeric", false));

    @Test
    void theKeyLogTriggerAppendsOnlyTheKeysIntoTheToolsSchemaWithNoSearchPathSetting() {
        String function = WindowSql.logFunction(NAMES, REBUILT);
        assertTrue(function.startsWith("CREATE OR REPLACE FUNCTION \"shadowshift\"."), function);
        assertTrue(function.contains("INSERT INTO \"shadowshift\".\"orders_ss_wlog_" + NAMES.shortId() + "\""), function);
        assertTrue(function.contains("VALUES (OLD.\"id\", NEW.\"id\")"), "the key only, never the row: " + function);
        assertFalse(function.contains("amount") || function.contains("memo"), function);
        assertFalse(function.contains(" SET "), function);
        assertFalse(function.contains("IF "), function);
        for (String trigger : WindowSql.logTriggers(NAMES)) {
            assertTrue(trigger.contains("EXECUTE FUNCTION \"shadowshift\"."), "the function is the tool's: " + trigger);
        }
        assertTrue(WindowSql.createLog(NAMES, REBUILT).startsWith("CREATE TABLE IF NOT EXISTS \"shadowshift\"."));
    }

    @Test
    void aReplayWritesTheRebuiltRowConvertedBackIntoTheRollbackTableInOneStatement() {
        String sql = WindowSql.replayRound(NAMES, REBUILT, BACK);
        assertEquals(1, sql.split("WITH ", -1).length - 1, sql);
        assertTrue(sql.contains("INSERT INTO \"shop\".\"orders_ss_old_" + NAMES.shortId() + "\""), sql);
        assertTrue(sql.contains("FROM \"shop\".\"orders\" s WHERE ROW(s.\"id\") = ROW(d.\"id\") LIMIT 1"), sql);
        assertTrue(sql.contains("bigint"), "amount is converted back to its original type: " + sql);
        assertTrue(sql.contains("DELETE FROM \"shop\".\"orders_ss_old_" + NAMES.shortId() + "\""), "a key gone from the rebuilt table is deleted: " + sql);
        String one = WindowSql.replayKey(NAMES, REBUILT, BACK);
        assertTrue(one.contains("ctid = ANY (?::text[]::tid[])") && one.contains("?::bigint AS \"id\""), one);
    }
}
