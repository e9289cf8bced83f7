package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;

import java.util.List;

/**
 * DROP TABLE discards every row: never from an event alone, only once approved. RESTRICT (the default): a view or
 * foreign key that depends on the table makes the drop fail rather than take them along.
 */
public record DropTable(SchemaChange change) implements Operation {

    @Override
    public Decision validate(Catalog catalog) throws OperationRefused {
        Checks.schema(change, catalog);
        Checks.name(change, "table", change.table());
        var table = catalog.table(change.table());
        if (table.isEmpty()) {
            return Decision.nothing(LockLevel.ACCESS_EXCLUSIVE, "no such table", Classification.DESTRUCTIVE);
        }
        return Decision.approval(LockLevel.ACCESS_EXCLUSIVE, "discards ~" + table.get().estimatedRows()
                + " rows and breaks every client that queries the table", Classification.DESTRUCTIVE, Classification.BACKWARD_INCOMPATIBLE);
    }

    @Override
    public void applyTo(Catalog catalog) {
        catalog.dropTable(change.table());
    }

    @Override
    public List<String> statements() {
        return List.of("DROP TABLE IF EXISTS " + Checks.qualified(change));
    }
}
