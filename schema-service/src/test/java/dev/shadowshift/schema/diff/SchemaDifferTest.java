package dev.shadowshift.schema.diff;

import dev.shadowshift.contracts.events.SchemaChange;
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
        assertEquals(List.of("CREATE_SCHEMA", "CREATE_TABLE", "CREATE_TABLE"), changes.stream().map(SchemaChange::kind).toList());
        assertEquals("CREATE SCHEMA IF NOT EXISTS \"stripe\"", changes.get(0).sql());
        assertEquals("""
                CREATE TABLE IF NOT EXISTS "stripe"."charges" (
                  "id" text NOT NULL,
                  "amount" bigint,
                  CONSTRAINT "charges_pkey" PRIMARY KEY ("id")
                )""", changes.get(1).sql());
        assertTrue(changes.stream().allMatch(c -> c.path().equals("IN_PLACE") && c.classification().equals("ADDITIVE")));
    }

    @Test
    void newPropertiesBecomeNullableAddColumns() {
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), col("email", "text"), col("phone", "text"))));
        LiveSchema live = schema(live("customers", liveCol("id", "text", true), liveCol("email", "text", false)));
        List<SchemaChange> changes = SchemaDiffer.diff("stripe", model, live, model);
        assertEquals(1, changes.size());
        SchemaChange add = changes.get(0);
        assertEquals("ADD_COLUMN", add.kind());
        assertEquals("customers", add.table());
        assertEquals("phone", add.column());
        assertEquals("ADDITIVE", add.classification());
        assertEquals("ACCESS EXCLUSIVE", add.lockLevel());
        assertEquals("ALTER TABLE \"stripe\".\"customers\" ADD COLUMN IF NOT EXISTS \"phone\" text", add.sql());
        assertNotNull(add.detail());
    }

    @Test
    void typeChangesGoThroughAShadowTableNeverAPlainAlter() {
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), col("balance", "numeric"))));
        LiveSchema live = schema(live("customers", liveCol("id", "text", true), liveCol("balance", "bigint", false)));
        SchemaChange change = SchemaDiffer.diff("stripe", model, live, model).get(0);
        assertEquals("ALTER_COLUMN_TYPE", change.kind());
        assertEquals("REWRITE", change.classification());
        assertEquals("SHADOW_TABLE", change.path());
        assertTrue(!change.sql().toUpperCase().contains("ALTER TABLE"), change.sql());
    }

    @Test
    void nullabilityChangesAreClassified() {
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), col("email", "text"))));
        LiveSchema live = schema(live("customers", liveCol("id", "text", false), liveCol("email", "text", true)));
        List<SchemaChange> changes = SchemaDiffer.diff("stripe", model, live, model);
        SchemaChange relax = changes.stream().filter(c -> c.kind().equals("DROP_NOT_NULL")).findFirst().orElseThrow();
        assertEquals("RELAXING", relax.classification());
        assertEquals("IN_PLACE", relax.path());
        assertEquals("ALTER TABLE \"stripe\".\"customers\" ALTER COLUMN \"email\" DROP NOT NULL", relax.sql());
        SchemaChange tighten = changes.stream().filter(c -> c.kind().equals("SET_NOT_NULL")).findFirst().orElseThrow();
        assertEquals("NEEDS_APPROVAL", tighten.path());
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
        assertTrue(changes.stream().allMatch(c -> c.classification().equals("DESTRUCTIVE") && c.path().equals("NEEDS_APPROVAL")));
        // without a previous version nothing is proposed for dropping
        assertEquals(List.of(), SchemaDiffer.diff("stripe", model, live, null));
    }

    @Test
    void shortenedNamesAreReportedAndStillApplied() {
        CompiledColumn longCol = new CompiledColumn("x_1234abcd", "text", true, false, "x".repeat(70), "x".repeat(70));
        CompiledModel model = new CompiledModel(List.of(table("customers", id(), longCol)));
        LiveSchema live = schema(live("customers", liveCol("id", "text", true)));
        SchemaChange add = SchemaDiffer.diff("stripe", model, live, null).get(0);
        assertEquals("IDENTIFIER_TOO_LONG", add.classification());
        assertEquals("IN_PLACE", add.path());
        assertTrue(add.detail().contains("x".repeat(70)));
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
                )""", create.sql());
    }
}
