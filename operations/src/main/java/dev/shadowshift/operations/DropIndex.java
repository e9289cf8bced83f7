package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.SqlIdentifiers;

import java.util.List;

/**
 * DROP INDEX CONCURRENTLY. An INVALID index (a failed CONCURRENTLY build) serves no query but every write
 * maintains it: dropping it is relaxing. A valid one may serve queries (or enforce uniqueness): that waits for approval.
 */
public record DropIndex(SchemaChange change) implements Operation {

    @Override
    public Decision validate(Catalog catalog) throws OperationRefused {
        Checks.schema(change, catalog);
        if (change.index() == null) {
            throw new OperationRefused.FieldMissing(change, "index");
        }
        Checks.name(change, "index name", change.index().name());
        var live = catalog.index(change.index().name());
        if (live.isEmpty()) {
            return Decision.nothing(LockLevel.SHARE_UPDATE_EXCLUSIVE, "no such index", Classification.RELAXING);
        }
        if (live.get().primary()) {
            throw new OperationRefused.IndexIsPrimaryKey(change);
        }
        if (!live.get().valid()) {
            return Decision.inPlace(LockLevel.SHARE_UPDATE_EXCLUSIVE, "the index is INVALID (a failed CONCURRENTLY build): no query "
                    + "uses it, every write maintains it", Classification.RELAXING);
        }
        return Decision.approval(LockLevel.SHARE_UPDATE_EXCLUSIVE, "the index is valid: queries that use it slow down"
                + (live.get().unique() ? " and duplicates become possible" : ""), Classification.BACKWARD_INCOMPATIBLE);
    }

    @Override
    public String table() {
        return change.table() == null ? "" : change.table();
    }

    @Override
    public void applyTo(Catalog catalog) {
        catalog.dropIndex(change.index().name());
    }

    @Override
    public boolean outsideTransaction() {
        return true;
    }

    @Override
    public List<String> statements() {
        return List.of("DROP INDEX CONCURRENTLY IF EXISTS " + SqlIdentifiers.qualified(change.schema(), change.index().name()));
    }
}
