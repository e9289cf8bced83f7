package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.SqlIdentifiers;

import java.util.List;

/**
 * SET NOT NULL scans every row under ACCESS EXCLUSIVE and fails on a NULL: on a live table it takes the shadow path
 * (the preflight counts the NULLs over all rows first, the new table gets a validated CHECK, then the constraint).
 */
public record SetNotNull(SchemaChange change) implements Operation {

    @Override
    public Decision validate(Catalog catalog) throws OperationRefused {
        Catalog.Table table = Checks.table(change, catalog);
        Catalog.Column column = Checks.column(change, table);
        if (column.notNull()) {
            return Decision.nothing(LockLevel.ACCESS_EXCLUSIVE, "the column is NOT NULL already", Classification.DATA_DEPENDENT);
        }
        List<Classification> hazards = List.of(Classification.DATA_DEPENDENT, Classification.LOCKING, Classification.BACKWARD_INCOMPATIBLE);
        if (table.createdInPlan()) {
            return new Decision(hazards, LockLevel.ACCESS_EXCLUSIVE, ChangePath.IN_PLACE, false, false, "the table is new in this plan and empty");
        }
        return new Decision(hazards, LockLevel.ACCESS_EXCLUSIVE, ChangePath.SHADOW_TABLE, false, false,
                "in place it would scan all ~" + table.estimatedRows() + " rows under ACCESS EXCLUSIVE and fail on any NULL; writers "
                        + "that omit the column start failing");
    }

    @Override
    public void applyTo(Catalog catalog) {
        catalog.table(change.table()).ifPresent(t -> t.column(change.column()).ifPresent(col ->
                t.columns.put(col.name(), new Catalog.Column(col.name(), col.type(), true))));
    }

    @Override
    public List<String> statements() {
        return List.of("ALTER TABLE " + Checks.qualified(change) + " ALTER COLUMN " + SqlIdentifiers.quote(change.column()) + " SET NOT NULL");
    }

    @Override
    public List<String> rollbackStatements() {
        return List.of("ALTER TABLE " + Checks.qualified(change) + " ALTER COLUMN " + SqlIdentifiers.quote(change.column()) + " DROP NOT NULL");
    }
}
