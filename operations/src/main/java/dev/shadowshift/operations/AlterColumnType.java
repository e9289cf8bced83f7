package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.SqlIdentifiers;

import java.util.List;

/**
 * A column's type changes. On a live table never a plain ALTER ... TYPE, which holds ACCESS EXCLUSIVE for the whole
 * rewrite: it takes the shadow-table path, consolidated with the table's other rewrites. A change that may refuse or
 * alter values (text to bigint, numeric to bigint, ...) waits for approval. On a table the plan itself creates there
 * is nothing to copy, and it runs in place.
 */
public record AlterColumnType(SchemaChange change) implements Operation {

    @Override
    public Decision validate(Catalog catalog) throws OperationRefused {
        Catalog.Table table = Checks.table(change, catalog);
        Catalog.Column column = Checks.column(change, table);
        String to = Checks.type(change, catalog, change.toType());
        if (column.type().equals(to)) {
            return Decision.nothing(LockLevel.ACCESS_EXCLUSIVE, "the column is " + to + " already", dev.shadowshift.contracts.changes.Classification.RELAXING);
        }
        TypeChanges.Assessment a = TypeChanges.assess(column.type(), to);
        if (table.createdInPlan()) {
            return new Decision(a.hazards(), LockLevel.ACCESS_EXCLUSIVE, ChangePath.IN_PLACE, false, false,
                    a.why() + "; the table is new in this plan and empty");
        }
        Decision d = new Decision(a.hazards(), LockLevel.ACCESS_EXCLUSIVE, ChangePath.SHADOW_TABLE, false, false,
                a.why() + "; a plain ALTER ... TYPE would hold ACCESS EXCLUSIVE for the whole copy of ~" + table.estimatedRows()
                        + " rows: copied through a shadow table instead");
        return a.narrowing() ? d.approvalToo("values may not convert or may change: the rewrite waits for an operator's approval") : d;
    }

    @Override
    public void applyTo(Catalog catalog) {
        catalog.table(change.table()).ifPresent(t -> t.column(change.column()).ifPresent(col ->
                t.columns.put(col.name(), new Catalog.Column(col.name(), change.toType(), col.notNull()))));
    }

    /** {@code CAST(source AS newtype)}: how a row's value converts, in place and in the shadow copy alike. */
    public static String castExpression(String source, String canonicalType) {
        return "CAST(" + source + " AS " + canonicalType + ")";
    }

    /** The in-place form, for a table the plan creates; on a live table the shadow path runs instead. */
    @Override
    public List<String> statements() {
        String col = SqlIdentifiers.quote(change.column());
        return List.of("ALTER TABLE " + Checks.qualified(change) + " ALTER COLUMN " + col + " TYPE " + change.toType()
                + " USING " + castExpression(col, change.toType()));
    }
}
