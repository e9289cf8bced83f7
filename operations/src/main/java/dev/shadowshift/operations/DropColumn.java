package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.SqlIdentifiers;

import java.util.List;

/** DROP COLUMN discards the column's data and breaks clients that use it: never from an event alone, only once approved. */
public record DropColumn(SchemaChange change) implements Operation {

    @Override
    public Decision validate(Catalog catalog) throws OperationRefused {
        Catalog.Table table = Checks.table(change, catalog);
        Checks.name(change, "column", change.column());
        if (table.column(change.column()).isEmpty()) {
            return Decision.nothing(LockLevel.ACCESS_EXCLUSIVE, "no such column", Classification.DESTRUCTIVE);
        }
        if (table.primaryKey().contains(change.column())) {
            throw new OperationRefused.PrimaryKeyColumn(change);
        }
        return Decision.approval(LockLevel.ACCESS_EXCLUSIVE, "discards the column's data in ~" + table.estimatedRows()
                + " rows and breaks every client that still reads or writes it", Classification.DESTRUCTIVE,
                Classification.BACKWARD_INCOMPATIBLE);
    }

    @Override
    public void applyTo(Catalog catalog) {
        catalog.table(change.table()).ifPresent(t -> t.columns.remove(change.column()));
    }

    @Override
    public List<String> statements() {
        return List.of("ALTER TABLE " + Checks.qualified(change) + " DROP COLUMN IF EXISTS " + SqlIdentifiers.quote(change.column()));
    }
}
