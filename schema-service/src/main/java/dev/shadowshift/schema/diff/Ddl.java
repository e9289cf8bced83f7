package dev.shadowshift.schema.diff;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.operations.Operation;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.CompiledTable;
import dev.shadowshift.schema.compile.IndexAdvisor;
import dev.shadowshift.schema.compile.RecommendedIndex;

/**
 * A whole compiled model as the script a fresh database needs, for people ({@code GET .../ddl}): rendered by the
 * same operation classes the migration worker runs, the one home of DDL text.
 */
public final class Ddl {

    private Ddl() {
    }

    public static String script(String schema, CompiledModel model, String header) {
        return script(schema, model, header, false);
    }

    public static String script(String schema, CompiledModel model, String header, boolean withIndexes) {
        StringBuilder out = new StringBuilder();
        out.append(header).append("\n\n");
        append(out, Operation.of(Changes.createSchema(schema, null)));
        for (CompiledTable table : model.tables()) {
            out.append('\n');
            append(out, Operation.of(Changes.createTable(schema, table, null)));
        }
        if (withIndexes) {
            out.append("\n-- recommended indexes: CONCURRENTLY, so run them outside a transaction block\n");
            for (RecommendedIndex index : IndexAdvisor.recommend(model)) {
                append(out, Operation.of(Changes.index(ChangeKind.CREATE_INDEX, schema, index, null)));
            }
        }
        return out.toString();
    }

    /** One recommended index, CONCURRENTLY: a statement of its own, outside any transaction block. */
    public static String createIndex(String schema, RecommendedIndex index) {
        return Operation.of(Changes.index(ChangeKind.CREATE_INDEX, schema, index, null)).statements().get(0);
    }

    private static void append(StringBuilder out, Operation op) {
        op.statements().forEach(s -> out.append(s).append(";\n"));
    }
}
