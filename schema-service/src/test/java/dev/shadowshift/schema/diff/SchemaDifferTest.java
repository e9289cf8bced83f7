package dev.shadowshift.schema.diff;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.operations.Operation;
import dev.shadowshift.pg.LiveSchema;
import dev.shadowshift.schema.compile.CompiledColumn;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.CompiledTable;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaDifferTest {

    /** The statement the worker's operation renders for a change: the differ itself renders none. */
    static String sql(SchemaChange change) {
        return Operation.of(change).statements().get(0);
    }

    static CompiledColumn id() {
        return new CompiledColumn("id", "text", false, true, "id", null);
    }

    static CompiledColumn col(String name, String type) {
        return new CompiledColumn(name, type, true, false, name, null);
    }

    static CompiledTable table(String name, CompiledColumn... columns) {
        return new CompiledTable(name, name.substring(0, name.length() - 1), null, List.of(columns));
    }

    static LiveSchema.Table live(String name, LiveSchema.Column... columns) {
        Map<String, LiveSchema.Column> cols = new LinkedHashMap<>();
        for (LiveSchema.Column c : columns) {
            cols.put(c.name(), c);
        }
        return new LiveSchema.Table(name, cols, List.of("id"), List.of(), 1000);
    }

    static LiveSchema.Column liveCol(String name, String type, boolean notNull) {
        return new LiveSchema.Column(name, type, notNull, 1);
    }

    static LiveSchema schema(LiveSchema.Table... tables) {
        Map<String, LiveSchema.Table> map = new LinkedHashMap<>();
        for (LiveSchema.Table t : tables) {
            map.put(t.name(), t);
        }
        return new LiveSchema("stripe", true, map);
    }

    @Test
    void emptyTargetGetsSchemaThenTables() {
        CompiledModel model = new CompiledModel(List.of(table("charges", id(), col("amount", "bigint")), table("customers", id())));
        List<SchemaChange> changes = SchemaDiffer.diff("stripe", model, new LiveSchema("stripe", false, Map.of()), null);
        assertEquals(List.of(ChangeKind.CREATE_SCHEMA, ChangeKind.CREATE_TABLE, ChangeKind.CREATE_TABLE), changes.stream().map(SchemaChange::kind).toList());
        assertEquals("CREATE SCHEMA IF NOT EXISTS \"stripe\"", sql(changes.get(0)));
        assertEquals("""
                CREATE TABLE IF NOT EXISTS "stripe"."charges" (
                  "id" text NOT NULL,
                  "amount" bigint,
                  CONSTRAINT "charges_pkey" PRIMARY KEY ("id")
                )""", sql(changes.get(1)));
        assertTrue(changes.stream().allMatch(c -> c.path() == ChangePath.IN_PLACE && c.classification() == Classification.ADDITIVE));
    }

    @Test
    void newPropertiesBecomeNullableAddColumns() {
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), col("email", "text"), col("phone", "text"))));
        LiveSchema live = schema(live("customers", liveCol("id", "text", true), liveCol("email", "text", false)));
        List<SchemaChange> changes = SchemaDiffer.diff("stripe", model, live, model);
        assertEquals(1, changes.size());
        SchemaChange add = changes.get(0);
        assertEquals(ChangeKind.ADD_COLUMN, add.kind());
        assertEquals("customers", add.table());
        assertEquals("phone", add.column());
        assertEquals(Classification.ADDITIVE, add.classification());
        assertEquals(LockLevel.ACCESS_EXCLUSIVE, add.lockLevel());
        assertEquals("ALTER TABLE \"stripe\".\"customers\" ADD COLUMN IF NOT EXISTS \"phone\" text", sql(add));
        assertNotNull(add.reason());
    }

    @Test
    void typeChangesGoThroughAShadowTableNeverAPlainAlter() {
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), col("balance", "numeric"))));
        LiveSchema live = schema(live("customers", liveCol("id", "text", true), liveCol("balance", "bigint", false)));
        SchemaChange change = SchemaDiffer.diff("stripe", model, live, model).get(0);
        assertEquals(ChangeKind.ALTER_COLUMN_TYPE, change.kind());
        assertEquals(Classification.REWRITE, change.classification());
        assertEquals(ChangePath.SHADOW_TABLE, change.path());
        assertEquals("bigint", change.fromType());
        assertEquals("numeric", change.toType());
    }

    @Test
    void nullabilityChangesAreClassified() {
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), col("email", "text"))));
        LiveSchema live = schema(live("customers", liveCol("id", "text", false), liveCol("email", "text", true)));
        List<SchemaChange> changes = SchemaDiffer.diff("stripe", model, live, model);
        SchemaChange relax = changes.stream().filter(c -> c.kind() == ChangeKind.DROP_NOT_NULL).findFirst().orElseThrow();
        assertEquals(Classification.RELAXING, relax.classification());
        assertEquals(ChangePath.IN_PLACE, relax.path());
        assertEquals("ALTER TABLE \"stripe\".\"customers\" ALTER COLUMN \"email\" DROP NOT NULL", sql(relax));
        SchemaChange tighten = changes.stream().filter(c -> c.kind() == ChangeKind.SET_NOT_NULL).findFirst().orElseThrow();
        assertEquals(ChangePath.SHADOW_TABLE, tighten.path(), "SET NOT NULL scans every row: the worker rebuilds through a shadow table");
        assertEquals(Classification.DATA_DEPENDENT, tighten.classification());
    }

    @Test
    void dropsOnlyWhatThePreviousVersionCreated() {
        CompiledModel previous = new CompiledModel(List.of(table("charges", id()), table("customers", id(), col("email", "text"))));
        CompiledModel model = new CompiledModel(List.of(table("customers", id())));
        LiveSchema live = schema(
                live("charges", liveCol("id", "text", true)),
                live("customers", liveCol("id", "text", true), liveCol("email", "text", false), liveCol("dba_note", "text", false)),
                live("unrelated", liveCol("id", "text", true)));
        List<SchemaChange> changes = SchemaDiffer.diff("stripe", model, live, previous);
        assertEquals(List.of("DROP_COLUMN customers.email", "DROP_TABLE charges.null"),
                changes.stream().map(c -> c.kind() + " " + c.table() + "." + c.column()).toList());
        assertTrue(changes.stream().allMatch(c -> c.classification() == Classification.DESTRUCTIVE && c.path() == ChangePath.NEEDS_APPROVAL));
        // without a previous version nothing is proposed for dropping
        assertEquals(List.of(), SchemaDiffer.diff("stripe", model, live, null));
    }

    @Test
    void shortenedNamesAreReportedAndStillApplied() {
        CompiledColumn longCol = new CompiledColumn("x_1234abcd", "text", true, false, "x".repeat(70), "x".repeat(70));
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), longCol)));
        LiveSchema live = schema(live("customers", liveCol("id", "text", true)));
        SchemaChange add = SchemaDiffer.diff("stripe", model, live, null).get(0);
        assertEquals(Classification.IDENTIFIER_TOO_LONG, add.classification());
        assertEquals(ChangePath.IN_PLACE, add.path());
        assertTrue(add.reason().contains("x".repeat(70)));
    }

    @Test
    void hostileNamesAreQuoted() {
        CompiledModel model = new CompiledModel(List.of(table("t\"; DROP TABLE x; --s", id(), col("a\"b;c", "text"))));
        SchemaChange create = SchemaDiffer.diff("s\"x", model, new LiveSchema("s\"x", true, Map.of()), null).get(0);
        assertEquals("""
                CREATE TABLE IF NOT EXISTS "s""x"."t""; DROP TABLE x; --s" (
                  "id" text NOT NULL,
                  "a""b;c" text,
                  CONSTRAINT "t""; DROP TABLE x; --s_pkey" PRIMARY KEY ("id")
                )""", sql(create));
    }

    static LiveSchema.Table liveWithIndexes(String name, List<String> pk, List<LiveSchema.Index> indexes, LiveSchema.Column... columns) {
        Map<String, LiveSchema.Column> cols = new LinkedHashMap<>();
        for (LiveSchema.Column c : columns) {
            cols.put(c.name(), c);
        }
        return new LiveSchema.Table(name, cols, pk, indexes, 1000);
    }

    @Test
    void typeChangesAreClassifiedByWhatTheCastDoes() {
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), col("name", "text"), col("count", "bigint"),
                col("amount", "bigint"), col("note", "text"), col("big", "bigint"))));
        LiveSchema live = schema(live("customers", liveCol("id", "text", true), liveCol("name", "character varying(255)", false),
                liveCol("count", "text", false), liveCol("amount", "numeric(10,2)", false), liveCol("note", "jsonb", false),
                liveCol("big", "integer", false)));
        Map<String, SchemaChange> byColumn = new LinkedHashMap<>();
        SchemaDiffer.diff("s", model, live, null).forEach(c -> byColumn.put(c.column(), c));
        assertTrue(byColumn.values().stream().allMatch(c -> c.kind() == ChangeKind.ALTER_COLUMN_TYPE && c.path() == ChangePath.SHADOW_TABLE),
                byColumn.toString());
        assertEquals(Classification.RELAXING, byColumn.get("name").classification());
        assertTrue(byColumn.get("name").reason().startsWith("hazards: RELAXING;"), byColumn.get("name").reason());
        assertEquals(Classification.REWRITE, byColumn.get("count").classification());
        assertTrue(byColumn.get("count").reason().startsWith("hazards: REWRITE, DATA_DEPENDENT, BACKWARD_INCOMPATIBLE;"));
        assertTrue(byColumn.get("amount").reason().contains("DESTRUCTIVE"), byColumn.get("amount").reason());
        assertTrue(byColumn.get("note").reason().startsWith("hazards: REWRITE, BACKWARD_INCOMPATIBLE;"), byColumn.get("note").reason());
        assertTrue(byColumn.get("big").reason().startsWith("hazards: REWRITE;"), byColumn.get("big").reason());
        // typed fields, no prose to parse back
        assertEquals("text", byColumn.get("count").fromType());
        assertEquals("bigint", byColumn.get("count").toType());
    }

    @Test
    void onlySafeClassificationsAreInPlace() {
        CompiledModel previous = new CompiledModel(List.of(table("customers", id(), col("email", "text"), col("old", "text"))));
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), col("email", "bigint"), col("phone", "text"))));
        LiveSchema live = schema(liveWithIndexes("customers", List.of(), List.of(), liveCol("id", "text", false),
                liveCol("email", "text", true), liveCol("old", "text", false)));
        List<SchemaChange> changes = SchemaDiffer.diff("s", model, live, previous, true);
        assertTrue(changes.stream().noneMatch(c -> c.path() == ChangePath.IN_PLACE && !java.util.Set.of(Classification.ADDITIVE,
                Classification.RELAXING, Classification.IDENTIFIER_TOO_LONG).contains(c.classification())), changes.toString());
        SchemaChange drop = changes.stream().filter(c -> c.kind() == ChangeKind.DROP_COLUMN).findFirst().orElseThrow();
        assertEquals(Classification.DESTRUCTIVE, drop.classification());
        assertTrue(drop.reason().startsWith("hazards: DESTRUCTIVE, BACKWARD_INCOMPATIBLE;"), drop.reason());
        // the live table has no primary key: adding one is LOCKING and waits for approval
        SchemaChange pk = changes.stream().filter(c -> c.kind() == ChangeKind.CREATE_INDEX && c.classification() == Classification.LOCKING)
                .findFirst().orElseThrow();
        assertEquals(ChangePath.NEEDS_APPROVAL, pk.path());
        assertEquals("ALTER TABLE \"s\".\"customers\" ADD CONSTRAINT \"customers_pkey\" PRIMARY KEY (\"id\")", sql(pk));
    }

    @Test
    void indexesAreReportedOnlyWhenAsked() {
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), col("email", "text"), col("metadata", "jsonb"),
                col("created", "bigint"))));
        LiveSchema.Index pkey = new LiveSchema.Index("customers_pkey", "btree", List.of("id"), true, true, true, "");
        LiveSchema.Index handMade = new LiveSchema.Index("my_email_idx", "btree", List.of("email"), false, false, true, "");
        LiveSchema.Index broken = new LiveSchema.Index("idx_customers_metadata", "gin", List.of("metadata"), false, false, false, "");
        LiveSchema live = schema(liveWithIndexes("customers", List.of("id"), List.of(pkey, handMade, broken),
                liveCol("id", "text", true), liveCol("email", "text", false), liveCol("metadata", "jsonb", false),
                liveCol("created", "bigint", false)));
        assertEquals(List.of(), SchemaDiffer.diff("s", model, live, null, false));
        List<SchemaChange> changes = SchemaDiffer.diff("s", model, live, null, true);
        assertEquals(List.of("DROP_INDEX customers.[metadata]", "CREATE_INDEX customers.[metadata]", "CREATE_INDEX customers.[created]"),
                changes.stream().map(c -> c.kind() + " " + c.table() + "." + c.index().columns()).toList());
        assertEquals("DROP INDEX CONCURRENTLY IF EXISTS \"s\".\"idx_customers_metadata\"", sql(changes.get(0)));
        assertEquals("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"idx_customers_metadata\" ON \"s\".\"customers\" USING gin (\"metadata\")",
                sql(changes.get(1)));
        assertTrue(changes.stream().allMatch(c -> c.lockLevel() == LockLevel.SHARE_UPDATE_EXCLUSIVE && c.path() == ChangePath.IN_PLACE));
        assertEquals(Classification.ADDITIVE, changes.get(2).classification());
    }

    @Test
    void newTablesGetTheirIndexesAfterTheTables() {
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), col("email", "text"), col("tags", "text[]"))));
        List<SchemaChange> changes = SchemaDiffer.diff("s", model, new LiveSchema("s", false, Map.of()), null, true);
        assertEquals(List.of(ChangeKind.CREATE_SCHEMA, ChangeKind.CREATE_TABLE, ChangeKind.CREATE_INDEX, ChangeKind.CREATE_INDEX),
                changes.stream().map(SchemaChange::kind).toList());
        assertEquals("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"idx_customers_email\" ON \"s\".\"customers\" USING btree (\"email\")",
                sql(changes.get(2)));
    }

    @Test
    void aCompositeIsMissingUntilAnIndexOnTheSameColumnsInOrderExistsAndAUniqueOneNeedsAUniqueIndex() {
        CompiledModel model = new CompiledModel(List.of(table("customers", id()),
                table("payment_intents", id(), col("customer", "text"), col("created", "bigint"), col("account", "text"))));
        LiveSchema.Index pkey = new LiveSchema.Index("payment_intents_pkey", "btree", List.of("id"), true, true, true, "");
        // what a DBA may have built by hand: the single-column index, the composite the other way round, and the
        // tenant pair without UNIQUE; none of them serves as the recommendation
        LiveSchema.Index single = new LiveSchema.Index("pi_customer", "btree", List.of("customer"), false, false, true, "");
        LiveSchema.Index reversed = new LiveSchema.Index("pi_created_customer", "btree", List.of("created", "customer"), false, false, true, "");
        LiveSchema.Index tenant = new LiveSchema.Index("pi_account_id", "btree", List.of("account", "id"), false, false, true, "");
        LiveSchema.Column[] columns = {liveCol("id", "text", true), liveCol("customer", "text", false),
                liveCol("created", "bigint", false), liveCol("account", "text", false)};
        LiveSchema live = schema(live("customers", liveCol("id", "text", true)),
                liveWithIndexes("payment_intents", List.of("id"), List.of(pkey, single, reversed, tenant), columns));
        List<SchemaChange> changes = SchemaDiffer.diff("s", model, live, null, true);
        assertEquals(List.of("CREATE_INDEX payment_intents.[customer, created]", "CREATE_INDEX payment_intents.[created]",
                        "CREATE_INDEX payment_intents.[account, id]"),
                changes.stream().map(c -> c.kind() + " " + c.table() + "." + c.index().columns()).toList());
        assertEquals("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"idx_payment_intents_account_id\" ON \"s\".\"payment_intents\" "
                + "USING btree (\"account\", \"id\")", sql(changes.get(2)));
        assertTrue(changes.get(0).reason().contains("foreign key + time"), changes.get(0).reason());

        LiveSchema.Index composite = new LiveSchema.Index("pi_customer_created", "btree", List.of("customer", "created"), false, false, true, "");
        LiveSchema.Index uniqueTenant = new LiveSchema.Index("pi_account_id_u", "btree", List.of("account", "id"), true, false, true, "");
        LiveSchema.Index created = new LiveSchema.Index("pi_created", "btree", List.of("created"), false, false, true, "");
        LiveSchema covered = schema(live("customers", liveCol("id", "text", true)),
                liveWithIndexes("payment_intents", List.of("id"), List.of(pkey, composite, uniqueTenant, created), columns));
        assertEquals(List.of(), SchemaDiffer.diff("s", model, covered, null, true));
    }
}
