package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.SchemaChange;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * One schema change, as pgroll's {@code op_*.go} files have it: {@link #validate} against the catalog (pure, throws
 * a typed {@link OperationRefused}), the statements it renders itself from the typed change (every identifier through
 * {@code SqlIdentifiers}, every type as the server spelled it), and {@link #start}, {@link #complete} and
 * {@link #rollback} against the target. Statements are repeatable ({@code IF [NOT] EXISTS}): a resumed plan may run
 * its last step again.
 *
 * <p>Instances come from {@link #of} on a change whose type names are canonical already
 * ({@link Operations#canonical}); nothing here trusts the change's advisory labels.
 */
public sealed interface Operation permits CreateSchema, CreateTable, AddColumn, AlterColumnType, SetNotNull, DropNotNull,
        CreateIndex, DropIndex, DropColumn, DropTable {

    SchemaChange change();

    /**
     * How the change must be applied given what the catalog holds, or why it cannot be.
     *
     * @param catalog the schema as it will be when this operation runs (earlier operations of the plan applied)
     */
    Decision validate(Catalog catalog) throws OperationRefused;

    /** This operation's effect on the catalog, so that the operations after it validate against the schema it leaves. */
    void applyTo(Catalog catalog);

    /** The statements of the in-place form, in order. */
    List<String> statements();

    /** Statements that undo {@link #start} before anything depends on it; empty when only a backup can undo it. */
    default List<String> rollbackStatements() {
        return List.of();
    }

    /** True for statements PostgreSQL refuses inside a transaction block (CONCURRENTLY). */
    default boolean outsideTransaction() {
        return false;
    }

    /** The table the operation locks, or null (CREATE_SCHEMA). */
    default String table() {
        return change().table();
    }

    /** Runs the statements on the caller's connection, in the caller's transaction (or autocommit, see above). */
    default void start(Connection c) throws SQLException {
        run(c, statements());
    }

    /** After {@link #start} committed: checks what the statements cannot (e.g. that a CONCURRENTLY build is valid). */
    default void complete(Connection c) throws SQLException {
    }

    default void rollback(Connection c) throws SQLException {
        run(c, rollbackStatements());
    }

    static void run(Connection c, List<String> statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    static Operation of(SchemaChange change) {
        return switch (change.kind()) {
            case CREATE_SCHEMA -> new CreateSchema(change);
            case CREATE_TABLE -> new CreateTable(change);
            case ADD_COLUMN -> new AddColumn(change);
            case ALTER_COLUMN_TYPE -> new AlterColumnType(change);
            case SET_NOT_NULL -> new SetNotNull(change);
            case DROP_NOT_NULL -> new DropNotNull(change);
            case CREATE_INDEX -> new CreateIndex(change);
            case DROP_INDEX -> new DropIndex(change);
            case DROP_COLUMN -> new DropColumn(change);
            case DROP_TABLE -> new DropTable(change);
        };
    }
}
