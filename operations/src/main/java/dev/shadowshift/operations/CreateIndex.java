package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.SqlIdentifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * CREATE INDEX CONCURRENTLY: SHARE UPDATE EXCLUSIVE, reads and writes go on; it cannot run in a transaction block and
 * a failed build leaves an INVALID index, which {@link #complete} detects and {@link #rollback} drops. A primary key
 * added to a live table builds its unique index under ACCESS EXCLUSIVE and fails on NULL or duplicate keys: it waits
 * for approval.
 */
public record CreateIndex(SchemaChange change) implements Operation {

    static final Set<String> METHODS = Set.of("btree", "hash", "gist", "gin", "brin", "spgist");

    @Override
    public Decision validate(Catalog catalog) throws OperationRefused {
        Catalog.Table table = Checks.table(change, catalog);
        SchemaChange.IndexSpec index = change.index();
        if (index == null) {
            throw new OperationRefused.FieldMissing(change, "index");
        }
        Checks.name(change, "index name", index.name());
        if (index.columns() == null || index.columns().isEmpty()) {
            throw new OperationRefused.FieldMissing(change, "index.columns");
        }
        for (String column : index.columns()) {
            Checks.name(change, "index column", column);
            if (table.column(column).isEmpty()) {
                throw new OperationRefused.ColumnMissing(change, column);
            }
        }
        if (!METHODS.contains(method())) {
            throw new OperationRefused.IndexExists(change, "'" + index.method() + "' is not an index method: one of " + METHODS);
        }
        var existing = catalog.index(index.name());
        if (existing.isPresent()) {
            Catalog.Index live = existing.get();
            if (live.valid() && live.table().equals(table.name()) && live.columns().equals(index.columns())) {
                return Decision.nothing(LockLevel.SHARE_UPDATE_EXCLUSIVE, "the index exists", Classification.ADDITIVE);
            }
            throw new OperationRefused.IndexExists(change, "an index named '" + index.name() + "' exists on '" + live.table() + "' "
                    + live.columns() + (live.valid() ? "" : ", INVALID (drop it first)"));
        }
        if (index.primaryKey()) {
            if (!table.primaryKey().isEmpty()) {
                throw new OperationRefused.IndexExists(change, "'" + table.name() + "' has a primary key already: " + table.primaryKey());
            }
            if (table.createdInPlan()) {
                return Decision.inPlace(LockLevel.ACCESS_EXCLUSIVE, "primary key of a table new in this plan", Classification.ADDITIVE);
            }
            return Decision.approval(LockLevel.ACCESS_EXCLUSIVE, "the live table has no primary key: adding it builds a unique index over ~"
                    + table.estimatedRows() + " rows under ACCESS EXCLUSIVE and fails on NULL or duplicate keys",
                    Classification.LOCKING, Classification.DATA_DEPENDENT);
        }
        if (index.unique()) {
            return Decision.inPlace(LockLevel.SHARE_UPDATE_EXCLUSIVE, "CONCURRENTLY: reads and writes go on; the build fails on "
                    + "duplicate values and leaves nothing", Classification.ADDITIVE, Classification.DATA_DEPENDENT);
        }
        return Decision.inPlace(LockLevel.SHARE_UPDATE_EXCLUSIVE, "CONCURRENTLY: reads and writes go on (a plain CREATE INDEX would "
                + "block writes for the whole build)", Classification.ADDITIVE);
    }

    private String method() {
        return change.index().method() == null ? "btree" : change.index().method();
    }

    @Override
    public void applyTo(Catalog catalog) {
        SchemaChange.IndexSpec i = change.index();
        catalog.putIndex(new Catalog.Index(i.name(), change.table(), method(), List.copyOf(i.columns()), i.unique() || i.primaryKey(),
                i.primaryKey(), true));
        if (i.primaryKey()) {
            catalog.table(change.table()).ifPresent(t -> {
                t.primaryKey.clear();
                t.primaryKey.addAll(i.columns());
            });
        }
    }

    @Override
    public boolean outsideTransaction() {
        return !change.index().primaryKey();
    }

    @Override
    public List<String> statements() {
        SchemaChange.IndexSpec i = change.index();
        String columns = String.join(", ", i.columns().stream().map(SqlIdentifiers::quote).toList());
        if (i.primaryKey()) {
            return List.of("ALTER TABLE " + Checks.qualified(change) + " ADD CONSTRAINT " + SqlIdentifiers.quote(i.name())
                    + " PRIMARY KEY (" + columns + ")");
        }
        return List.of("CREATE " + (i.unique() ? "UNIQUE " : "") + "INDEX CONCURRENTLY IF NOT EXISTS " + SqlIdentifiers.quote(i.name())
                + " ON " + Checks.qualified(change) + " USING " + method() + " (" + columns + ")");
    }

    @Override
    public List<String> rollbackStatements() {
        if (change.index().primaryKey()) {
            return List.of("ALTER TABLE " + Checks.qualified(change) + " DROP CONSTRAINT IF EXISTS " + SqlIdentifiers.quote(change.index().name()));
        }
        return List.of("DROP INDEX CONCURRENTLY IF EXISTS " + SqlIdentifiers.qualified(change.schema(), change.index().name()));
    }

    /** A CONCURRENTLY build that failed half-way leaves an INVALID index: that is a failure, not a success. */
    @Override
    public void complete(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(?)")) {
            ps.setString(1, SqlIdentifiers.qualified(change.schema(), change.index().name()));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    throw new SQLException("index " + SqlIdentifiers.qualified(change.schema(), change.index().name())
                            + " is missing or INVALID after its build", "XX000");
                }
            }
        }
    }
}
