package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.SchemaChange;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Validates a list of typed changes in order against one catalog copy. Pure logic. */
public final class Operations {

    /** A change as it will run: its operation (on the canonical change) and the operation's own decision. */
    public record Validated(Operation operation, Decision decision) {
        public SchemaChange change() {
            return operation.change();
        }
    }

    /** A change refused, with the typed reason. */
    public record Refused(SchemaChange change, OperationRefused reason) {
    }

    /** One change's fate, in the changes' order: validated, or refused (then nothing of it runs). */
    public record Result(SchemaChange change, Validated validated, Refused refused) {
    }

    public record Outcome(List<Result> results) {
        public List<Validated> validated() {
            return results.stream().map(Result::validated).filter(java.util.Objects::nonNull).toList();
        }

        public List<Refused> refused() {
            return results.stream().map(Result::refused).filter(java.util.Objects::nonNull).toList();
        }
    }

    private Operations() {
    }

    /**
     * Each change in turn: its type names replaced by the server's spelling, validated against the catalog as the
     * changes before it leave it. A refused change does not apply its effect, so what depends on it is refused too.
     */
    public static Outcome validate(List<SchemaChange> changes, Catalog live) {
        Catalog catalog = live.copy();
        List<Result> results = new ArrayList<>();
        for (SchemaChange change : changes) {
            try {
                Operation op = Operation.of(canonical(change, catalog));
                Decision decision = op.validate(catalog);
                op.applyTo(catalog);
                results.add(new Result(change, new Validated(op, decision), null));
            } catch (OperationRefused e) {
                results.add(new Result(change, null, new Refused(change, e)));
            }
        }
        return new Outcome(List.copyOf(results));
    }

    /** The change with every type name as the server spells it; a name the server does not know is refused. */
    public static SchemaChange canonical(SchemaChange c, Catalog catalog) throws OperationRefused {
        if (c.kind() == null) {
            throw new OperationRefused.FieldMissing(c, "kind");
        }
        String toType = c.toType() == null ? null : type(c, catalog, c.toType());
        SchemaChange.TypedLiteral literal = c.defaultValue() == null || c.defaultValue().type() == null ? c.defaultValue()
                : new SchemaChange.TypedLiteral(type(c, catalog, c.defaultValue().type()), c.defaultValue().value());
        List<SchemaChange.ColumnSpec> columns = null;
        if (c.columns() != null) {
            columns = new ArrayList<>();
            for (SchemaChange.ColumnSpec col : c.columns()) {
                columns.add(new SchemaChange.ColumnSpec(col.name(), col.type() == null ? null : type(c, catalog, col.type()),
                        col.nullable(), col.primaryKey()));
            }
        }
        return new SchemaChange(c.kind(), c.schema(), c.table(), c.column(), c.fromType(), toType, c.nullable(), literal,
                c.index(), columns, c.reason(), c.classification(), c.lockLevel(), c.path());
    }

    private static String type(SchemaChange c, Catalog catalog, String name) throws OperationRefused {
        return catalog.canonicalType(name).orElseThrow(() -> new OperationRefused.TypeUnknown(c, name));
    }

    /** Every type name the changes mention, for the server to resolve before validation. */
    public static Set<String> typeNames(List<SchemaChange> changes) {
        Set<String> names = new LinkedHashSet<>();
        for (SchemaChange c : changes) {
            if (c.toType() != null) {
                names.add(c.toType());
            }
            if (c.defaultValue() != null && c.defaultValue().type() != null) {
                names.add(c.defaultValue().type());
            }
            if (c.columns() != null) {
                c.columns().stream().map(SchemaChange.ColumnSpec::type).filter(t -> t != null).forEach(names::add);
            }
        }
        return names;
    }
}
