package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.SqlIdentifiers;

import java.util.List;

/** DROP NOT NULL: relaxing and catalog-only; the brief lock queues behind running queries. Never on the key. */
public record DropNotNull(SchemaChange change) implements Operation {

    @Override
    public Decision validate(Catalog catalog) throws OperationRefused {
        Catalog.Table table = Checks.table(change, catalog);
        Catalog.Column column = Checks.column(change, table);
        if (table.primaryKey().contains(column.name())) {
            throw new OperationRefused.PrimaryKeyColumn(change);
        }
        if (!column.notNull()) {
            return Decision.nothing(LockLevel.ACCESS_EXCLUSIVE, "the column takes NULL already", Classification.RELAXING);
        }
        return Decision.inPlace(LockLevel.ACCESS_EXCLUSIVE, "catalog-only; writers may now omit the column", Classification.RELAXING);
    }

    @Override
    public void applyTo(Catalog catalog) {
        catalog.table(change.table()).ifPresent(t -> t.column(change.column()).ifPresent(col ->
                t.columns.put(col.name(), new Catalog.Column(col.name(), col.type(), false))));
    }

    @Override
    public List<String> statements() {
        return List.of("ALTER TABLE " + Checks.qualified(change) + " ALTER COLUMN " + SqlIdentifiers.quote(change.column()) + " DROP NOT NULL");
    }

    @Override
    public List<String> rollbackStatements() {
        return List.of("ALTER TABLE " + Checks.qualified(change) + " ALTER COLUMN " + SqlIdentifiers.quote(change.column()) + " SET NOT NULL");
    }
}
