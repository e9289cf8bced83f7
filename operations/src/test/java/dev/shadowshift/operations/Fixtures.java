package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.LiveSchema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A live schema {@code shop} with {@code customers(id text pk, email text not null, balance integer)} of 1000 rows. */
final class Fixtures {

    private Fixtures() {
    }

    static Catalog shop() {
        Map<String, LiveSchema.Column> cols = new LinkedHashMap<>();
        cols.put("id", new LiveSchema.Column("id", "text", true, 1));
        cols.put("email", new LiveSchema.Column("email", "text", true, 2));
        cols.put("balance", new LiveSchema.Column("balance", "integer", false, 3));
        LiveSchema.Table customers = new LiveSchema.Table("customers", cols, List.of("id"), List.of(
                new LiveSchema.Index("customers_pkey", "btree", List.of("id"), true, true, true, "..."),
                new LiveSchema.Index("idx_customers_email", "btree", List.of("email"), false, false, true, "..."),
                new LiveSchema.Index("idx_broken", "gin", List.of("email"), false, false, false, "...")), 1000);
        LiveSchema live = new LiveSchema("shop", true, Map.of("customers", customers));
        return Catalog.of(live, Map.of("text", "text", "bigint", "bigint", "int8", "bigint", "numeric", "numeric",
                "integer", "integer", "jsonb", "jsonb"), Map.of(Catalog.literalKey("bigint", "0"), "0"));
    }

    static Catalog empty() {
        return Catalog.of(new LiveSchema("shop", false, Map.of()), Map.of("text", "text"), Map.of());
    }

    static SchemaChange change(ChangeKind kind, String table, String column, String toType) {
        return new SchemaChange(kind, "shop", table, column, null, toType, null, null, null, null, null, null, null, null);
    }

    static SchemaChange index(ChangeKind kind, String name, boolean unique, boolean primaryKey, String... columns) {
        return new SchemaChange(kind, "shop", "customers", null, null, null, null, null,
                new SchemaChange.IndexSpec(name, List.of(columns), unique, null, primaryKey), null, null, null, null, null);
    }
}
