package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.SqlIdentifiers;

import java.util.List;

/**
 * ADD COLUMN: catalog-only for a nullable column, and for a default (PostgreSQL 11 stores a constant default in the
 * catalog), but ACCESS EXCLUSIVE is taken briefly and queues behind running queries: applied under a short
 * lock_timeout. A NOT NULL column without a default is refused for a table that may hold rows.
 */
public record AddColumn(SchemaChange change) implements Operation {

    @Override
    public Decision validate(Catalog catalog) throws OperationRefused {
        Catalog.Table table = Checks.table(change, catalog);
        Checks.name(change, "column", change.column());
        String type = Checks.type(change, catalog, change.toType());
        if (change.defaultValue() != null) {
            SchemaChange.TypedLiteral d = change.defaultValue();
            if (d.value() == null || d.type() == null) {
                throw new OperationRefused.DefaultInvalid(change, "needs both a type and a value");
            }
            String literalType = catalog.canonicalType(d.type()).orElseThrow(() -> new OperationRefused.TypeUnknown(change, d.type()));
            if (!literalType.equals(type)) {
                throw new OperationRefused.DefaultInvalid(change, "is of type " + literalType + ", the column is " + type);
            }
            if (!catalog.castable(type, d.value())) {
                throw new OperationRefused.DefaultInvalid(change, "'" + d.value() + "' is not a value of type " + type);
            }
        }
        var live = table.column(change.column());
        if (live.isPresent()) {
            if (!live.get().type().equals(type)) {
                throw new OperationRefused.ColumnExists(change, live.get().type());
            }
            return Decision.nothing(LockLevel.ACCESS_EXCLUSIVE, "column exists with type " + type, Classification.ADDITIVE);
        }
        if (!nullable() && change.defaultValue() == null && !table.createdInPlan()) {
            throw new OperationRefused.NotNullWithoutDefault(change, table.estimatedRows());
        }
        return Decision.inPlace(LockLevel.ACCESS_EXCLUSIVE, (nullable() ? "nullable" : "NOT NULL") + ", "
                + (change.defaultValue() == null ? "no default" : "constant default")
                + ": catalog-only, no rewrite, but the brief ACCESS EXCLUSIVE queues behind running queries", Classification.ADDITIVE);
    }

    private boolean nullable() {
        return change.nullable() == null || change.nullable();
    }

    @Override
    public void applyTo(Catalog catalog) {
        catalog.table(change.table()).ifPresent(t -> t.columns.putIfAbsent(change.column(),
                new Catalog.Column(change.column(), change.toType(), !nullable())));
    }

    @Override
    public List<String> statements() {
        String def = change.defaultValue() == null ? ""
                : " DEFAULT " + SqlIdentifiers.literal(change.defaultValue().value()) + "::" + change.toType();
        return List.of("ALTER TABLE " + Checks.qualified(change) + " ADD COLUMN IF NOT EXISTS " + SqlIdentifiers.quote(change.column())
                + " " + change.toType() + (nullable() ? "" : " NOT NULL") + def);
    }

    @Override
    public List<String> rollbackStatements() {
        return List.of("ALTER TABLE " + Checks.qualified(change) + " DROP COLUMN IF EXISTS " + SqlIdentifiers.quote(change.column()));
    }
}
