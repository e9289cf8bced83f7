package dev.shadowshift.migration.shadow;

import dev.shadowshift.pg.SqlIdentifiers;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The names of every object one table's shadow rebuild creates. Deterministic from plan and table, so a resumed
 * or redelivered run finds the objects an earlier run made, and so cleanup knows exactly what to drop. Every name
 * carries {@code _ss_} and a short id: a leftover is recognisable and two migrations never collide.
 */
public record ShadowNames(String schema, String table, String shortId) {

    /**
     * The tool's own schema in the target: the capture's functions, log and position tables, the rollback window's
     * key log and the lost-keys table live here, never in the user's schema. The names still carry the table's name
     * and the short id (which hashes the user's schema in), so two tables' objects never collide.
     */
    public static final String TOOL_SCHEMA = "shadowshift";

    public static ShadowNames of(String planId, String schema, String table) {
        String id = UUID.nameUUIDFromBytes((planId + "/" + schema + "/" + table).getBytes(StandardCharsets.UTF_8))
                .toString().replace("-", "").substring(0, 8);
        return new ShadowNames(schema, table, id);
    }

    private String name(String infix) {
        return SqlIdentifiers.withSuffix(table, "_ss_" + infix + "_" + shortId);
    }

    public String shadow() {
        return name("new");
    }

    /** The original table after cutover: kept as the rollback point until the rollback window closes. */
    public String rollback() {
        return name("old");
    }

    /** The rebuilt table after a rollback swapped the original back. */
    public String retired() {
        return name("rb");
    }

    public String captureFunction() {
        return name("capture");
    }

    public String captureTrigger() {
        return name("capture");
    }

    /** The statement-level TRUNCATE capture: its own function, rare enough to afford a fixed search_path. */
    public String captureTruncateFunction() {
        return name("capture_trunc");
    }

    /**
     * The change log: the keys (old and new) of every row written on the original since capture began, appended by
     * the capture trigger and consumed by the worker, which copies each such row again from the original.
     */
    public String changeLog() {
        return name("log");
    }

    /** One row: the last key the backfill copied, written in the same statement as each batch. */
    public String backfillPosition() {
        return name("pos");
    }

    public String captureTruncateTrigger() {
        return name("capture_trunc");
    }

    /**
     * The rollback window's key log: the old and new key of every write to the rebuilt table since cutover (by the
     * window's trigger, or drained from its slot), replayed into the rollback table by a rollback.
     */
    public String windowLog() {
        return name("wlog");
    }

    /** The rollback window's key-only log trigger (where no slot can capture) and its function. */
    public String windowTrigger() {
        return name("window");
    }

    public String windowFunction() {
        return name("window");
    }

    /** TRUNCATE of the rebuilt table during the window: the rollback table and the key log are emptied with it. */
    public String windowTruncateTrigger() {
        return name("window_trunc");
    }

    public String windowTruncateFunction() {
        return name("window_trunc");
    }

    /** The rollback window's replication slot: lower case, digits and underscores, as slots require. */
    public String windowSlot() {
        return "shadowshift_rw_" + shortId;
    }

    /** Before the rollback window: the full-row reverse-sync trigger a rebuild cut over by an earlier version left. */
    public String reverseFunction() {
        return name("reverse");
    }

    public String reverseTrigger() {
        return name("reverse");
    }

    public String reverseTruncateTrigger() {
        return name("reverse_trunc");
    }

    /** Before the rollback window: keys an earlier version's reverse sync could not cast back. */
    public String lostTable() {
        return name("lost");
    }

    /** An index of the original, rebuilt on the shadow (index names are unique per schema). */
    public String shadowIndex(String originalIndex) {
        return SqlIdentifiers.shorten(originalIndex + "_ss_" + shortId);
    }

    /** An index of the original once the original became the rollback table. */
    public String retiredIndex(String originalIndex) {
        return SqlIdentifiers.shorten(originalIndex + "_ss_old_" + shortId);
    }

    /**
     * A materialized view that selects from the table, re-created on the rebuilt table at cutover (WITH NO DATA) and
     * refreshed there before it takes the view's name. Named after the view, in the view's schema.
     */
    public String newMatview(String matview) {
        return SqlIdentifiers.withSuffix(matview, "_ss_mv_" + shortId);
    }

    /** A materialized view once its rebuilt counterpart took its name: the rollback copy, reading the rollback table. */
    public String oldMatview(String matview) {
        return SqlIdentifiers.withSuffix(matview, "_ss_mvold_" + shortId);
    }

    /** The rebuilt materialized view while a swap-back gives its name back to the rollback copy (dropped right after). */
    public String retiredMatview(String matview) {
        return SqlIdentifiers.withSuffix(matview, "_ss_mvrb_" + shortId);
    }

    public String notNullCheck(String column) {
        return SqlIdentifiers.shorten("ss_nn_" + shortId + "_" + column);
    }

    /** One of the tool's own objects ({@link #TOOL_SCHEMA}). */
    public String tool(String name) {
        return SqlIdentifiers.qualified(TOOL_SCHEMA, name);
    }

    public String qualified(String name) {
        return SqlIdentifiers.qualified(schema, name);
    }

    /** One migration per table across every worker: the advisory lock is keyed by this. */
    public String advisoryKey() {
        return "shadowshift:" + SqlIdentifiers.qualified(schema, table);
    }
}
