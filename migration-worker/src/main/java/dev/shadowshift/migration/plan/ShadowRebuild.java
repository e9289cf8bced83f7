package dev.shadowshift.migration.plan;

import java.util.List;

/**
 * Every rewrite of one table consolidated into one shadow-table rebuild: the table is copied once, with all its
 * column changes applied, and swapped in once.
 *
 * @param changes the column changes, in spec order, one per column (a type change and SET NOT NULL on the same
 *                column are merged)
 */
public record ShadowRebuild(String schema, String table, List<ColumnChange> changes) {

    /**
     * @param toType   the new type as format_type prints it, or null when the type stays
     * @param fromType the live type the differ saw, or null when unknown (the engine reads it from the catalog)
     * @param setNotNull true when the column becomes NOT NULL
     */
    public record ColumnChange(String column, String toType, String fromType, boolean setNotNull) {
    }
}
