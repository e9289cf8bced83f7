package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.SqlIdentifiers;

import java.util.List;

/** CREATE SCHEMA: additive, no lock on anything that exists. */
public record CreateSchema(SchemaChange change) implements Operation {

    @Override
    public Decision validate(Catalog catalog) throws OperationRefused {
        Checks.schema(change, catalog);
        if (catalog.schemaExists()) {
            return Decision.nothing(LockLevel.NONE, "schema " + SqlIdentifiers.quote(change.schema()) + " exists", Classification.ADDITIVE);
        }
        return Decision.inPlace(LockLevel.NONE, "new schema", Classification.ADDITIVE);
    }

    @Override
    public void applyTo(Catalog catalog) {
        catalog.createSchema();
    }

    @Override
    public String table() {
        return null;
    }

    @Override
    public List<String> statements() {
        return List.of("CREATE SCHEMA IF NOT EXISTS " + SqlIdentifiers.quote(change.schema()));
    }

    @Override
    public List<String> rollbackStatements() {
        // RESTRICT: only an empty schema goes
        return List.of("DROP SCHEMA IF EXISTS " + SqlIdentifiers.quote(change.schema()));
    }
}
