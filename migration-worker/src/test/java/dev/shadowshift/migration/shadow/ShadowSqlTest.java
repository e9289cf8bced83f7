package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.plan.ShadowRebuild;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shapes of the capture and backfill statements that their speed depends on (their results are tested on a real server). */
class ShadowSqlTest {

    private static final ShadowNames NAMES = ShadowNames.of("plan-1", "shop", "orders");
    private static final TableShape SHAPE = new TableShape("shop", "orders", List.of(
            new TableShape.Column("id", "bigint", true, false, ""),
            new TableShape.Column("amount", "bigint", false, false, ""),
            new TableShape.Column("memo", "text", false, false, "")), List.of("id"), "orders_pkey");
    private static final ShadowRebuild REBUILD = new ShadowRebuild("shop", "orders",
            List.of(new ShadowRebuild.ColumnChange("amount", "text", "bigint", false)));

    @Test
    void theCaptureTriggerOnlyAppendsTheKeysAndCarriesNoSearchPathSetting() {
        String function = ShadowSql.captureFunction(NAMES, SHAPE);
        assertTrue(function.contains("SECURITY DEFINER"), function);
        // a SET clause makes every call save and restore the setting: 5-18 % of the clients' throughput
        assertFalse(function.contains(" SET "), function);
        assertEquals(1, function.split("INSERT INTO", -1).length - 1, function);
        assertTrue(function.contains("VALUES (OLD.\"id\", NEW.\"id\")"), function);
        assertFalse(function.contains("IF "), "no branch, no operator a caller's search_path could shadow: " + function);
    }

    @Test
    void validationHashesOneKeyRangeOfBothTablesInOneStatementWithoutExcept() {
        String sql = ShadowSql.chunkHashes(NAMES, SHAPE, REBUILD, true, true);
        assertFalse(sql.contains("EXCEPT"), sql);
        assertEquals(2, sql.split("md5\\(string_agg\\(", -1).length - 1, sql);
        assertTrue(sql.contains("FROM \"shop\".\"orders\" o WHERE ROW(o.\"id\") > ROW(?::bigint) AND ROW(o.\"id\") <= ROW(?::bigint)"), sql);
        assertTrue(sql.contains("FROM \"shop\".\"orders_ss_new_" + NAMES.shortId() + "\" t WHERE ROW(t.\"id\") > ROW(?::bigint)"), sql);
        // the keys still in the change log are left to the cutover, on both sides
        assertEquals(2, sql.split("NOT EXISTS \\(SELECT 1 FROM pending", -1).length - 1, sql);
        assertFalse(ShadowSql.chunkHashes(NAMES, SHAPE, REBUILD, false, false).contains("ROW(o.\"id\") >"));
    }

    @Test
    void aValidationRangeReadsOnlyItsOwnKeysOfTheChangeLog() {
        String sql = ShadowSql.chunkHashes(NAMES, SHAPE, REBUILD, true, true);
        String log = NAMES.tool(NAMES.changeLog());
        // the whole log, converted and hashed per range, made each range cost what the log held (288 s for 76 ranges)
        assertTrue(sql.contains("FROM " + log + " WHERE old_0 IS NOT NULL AND ROW(old_0) > ROW(?::bigint) AND ROW(old_0) <= ROW(?::bigint)"), sql);
        assertTrue(sql.contains("FROM " + log + " WHERE new_0 IS NOT NULL AND ROW(new_0) > ROW(?::bigint) AND ROW(new_0) <= ROW(?::bigint)"), sql);
        // binds: [lo] [hi] for the log's old keys, its new keys, the original and the shadow
        assertEquals(8, sql.chars().filter(ch -> ch == '?').count(), sql);
        String open = ShadowSql.chunkHashes(NAMES, SHAPE, REBUILD, true, false);
        assertTrue(open.contains("WHERE old_0 IS NOT NULL AND ROW(old_0) > ROW(?::bigint) UNION"), open);
        assertEquals(4, open.chars().filter(ch -> ch == '?').count(), open);
        assertEquals(0, ShadowSql.chunkHashes(NAMES, SHAPE, REBUILD, false, false).chars().filter(ch -> ch == '?').count());
        // the whole-table fallback still leaves out every pending key
        assertFalse(ShadowSql.pendingKeys(NAMES, SHAPE, REBUILD).contains("ROW(old_0)"));
    }

    @Test
    void aRangeOfACompositeWidenedKeyBoundsTheLogInTheOriginalsTypesAndTheShadowInTheNewOnes() {
        TableShape shape = new TableShape("shop", "lines", List.of(
                new TableShape.Column("order_id", "integer", true, false, ""),
                new TableShape.Column("line", "smallint", true, false, ""),
                new TableShape.Column("qty", "integer", false, false, "")), List.of("order_id", "line"), "lines_pkey");
        ShadowRebuild widen = new ShadowRebuild("shop", "lines",
                List.of(new ShadowRebuild.ColumnChange("order_id", "bigint", "integer", false)));
        ShadowNames names = ShadowNames.of("plan-2", "shop", "lines");
        String sql = ShadowSql.chunkHashes(names, shape, widen, true, true);
        assertTrue(sql.contains("ROW(old_0, old_1) > ROW(?::integer, ?::smallint) AND ROW(old_0, old_1) <= ROW(?::integer, ?::smallint)"), sql);
        assertTrue(sql.contains("ROW(new_0, new_1) > ROW(?::integer, ?::smallint)"), sql);
        assertTrue(sql.contains("ROW(t.\"order_id\", t.\"line\") > ROW(?::bigint, ?::smallint)"), sql);
        assertEquals(16, sql.chars().filter(ch -> ch == '?').count(), sql);
    }

    @Test
    void theBatchBoundWalksTheKeyNotItsTextForm() {
        String bound = ShadowSql.backfillBound(NAMES, SHAPE, false);
        // ORDER BY "id" would sort by the output column id::text: the whole rest of the table, in the wrong order
        assertTrue(bound.contains("ORDER BY o.\"id\" OFFSET ? LIMIT 1"), bound);
    }

    @Test
    void aBatchCopiesARangeAndMovesThePositionInTheSameStatement() {
        String batch = ShadowSql.backfillBatch(NAMES, SHAPE, REBUILD, false);
        assertTrue(batch.startsWith("WITH moved AS (UPDATE " + NAMES.tool(NAMES.backfillPosition())), batch);
        assertTrue(batch.contains("CAST(b.\"amount\" AS text)"), batch);
        assertFalse(batch.contains("ON CONFLICT"), batch);
        assertFalse(batch.contains("FOR KEY SHARE"), batch);
        assertFalse(batch.contains("LIMIT"), batch);
    }

    @Test
    void applyingTheLogProbesByPrimaryKeyAndLeavesKeysAheadOfTheBackfill() {
        String apply = ShadowSql.applyChanges(NAMES, SHAPE, REBUILD, ShadowSql.Due.PASSED_OR_ABOVE_MARK);
        // LATERAL ... LIMIT 1 cannot be pulled up into a join the planner might hash over the whole table
        assertEquals(2, apply.split("LIMIT 1\\)", -1).length - 1, apply);
        assertTrue(apply.contains("LEFT JOIN LATERAL") && apply.contains("CROSS JOIN LATERAL"), apply);
        assertTrue(apply.contains("due AS (SELECT * FROM keys WHERE (ROW(\"id\") <= ROW(?::bigint) OR ROW(\"id\") > ROW(?::bigint)))"), apply);
        assertTrue(apply.contains("ON CONFLICT (\"id\") DO UPDATE SET \"amount\" = EXCLUDED.\"amount\", \"memo\" = EXCLUDED.\"memo\""), apply);
        assertTrue(ShadowSql.applyChanges(NAMES, SHAPE, REBUILD, ShadowSql.Due.ALL).contains("WHERE true"));
    }

    @Test
    void onlyAnUnchangedOrWidenedIntegerKeyCountsAsKeepingTheKeyOrder() {
        assertTrue(ShadowSql.keyOrderPreserved(SHAPE, REBUILD), "a non-key column changes");
        assertTrue(ShadowSql.keyOrderPreserved(SHAPE, new ShadowRebuild("shop", "orders",
                List.of(new ShadowRebuild.ColumnChange("id", "bigint", "bigint", false)))));
        TableShape intKey = new TableShape("shop", "orders", List.of(new TableShape.Column("id", "integer", true, false, "")),
                List.of("id"), "orders_pkey");
        assertTrue(ShadowSql.keyOrderPreserved(intKey, new ShadowRebuild("shop", "orders",
                List.of(new ShadowRebuild.ColumnChange("id", "bigint", "integer", false)))), "int -> bigint, the classic");
        assertFalse(ShadowSql.keyOrderPreserved(SHAPE, new ShadowRebuild("shop", "orders",
                List.of(new ShadowRebuild.ColumnChange("id", "text", "bigint", false)))), "'10' sorts before '9'");
        assertFalse(ShadowSql.keyOrderPreserved(SHAPE, new ShadowRebuild("shop", "orders",
                List.of(new ShadowRebuild.ColumnChange("id", "integer", "bigint", false)))), "narrowing");
    }
}
