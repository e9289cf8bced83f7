package dev.shadowshift.migration.shadow;

import dev.shadowshift.migration.support.SqlErrors;
import dev.shadowshift.pg.TargetDatabases;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static dev.shadowshift.pg.SqlIdentifiers.qualified;
import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * Materialized views that select from a rebuilt table. Unlike a plain view, a materialized view holds rows and is
 * bound to the table it was created on, so it cannot be re-created inside the cutover's lock: it would either be
 * left unpopulated for its readers or be refreshed while every writer of the table waits. Instead, for each
 * materialized view M:
 * <ol>
 *   <li>in the cutover transaction, M's definition, read while the table still had its name, creates
 *   {@link ShadowNames#newMatview} WITH NO DATA, which binds to the rebuilt table; M keeps serving the rows it has
 *   and still reads the rollback table (reverse sync keeps that current);</li>
 *   <li>after the cutover committed ({@link #finish}): the new one is refreshed (locking only itself, which nobody
 *   reads), gets M's indexes, grants, comment and owner, and then one short-lock transaction renames M to
 *   {@link ShadowNames#oldMatview} (the rollback copy) and the new one to M, M's indexes likewise, and re-creates the
 *   plain views that select from M so they follow the name;</li>
 *   <li>a swap-back refreshes the rollback copies outside any lock, then gives them their names back in its own
 *   transaction and drops the rebuilt ones; retention drops the rollback copies with the rollback table.</li>
 * </ol>
 * Where each one stands is read from the catalog (which table a materialized view reads, whether its new one still
 * exists), so every step repeats safely after a crash at any point. Materialized views that select from M are not
 * carried over: preflight refuses them, naming them (see {@link #problems}).
 */
final class MaterializedViews {

    private static final Logger LOG = Logger.getLogger(MaterializedViews.class);

    /** The engine's short-lock transaction: lock_timeout, jittered retries, and giving up with nothing changed. */
    interface ShortLock {
        void run(Connection c, String what, ShortLocks.Work<Void> work) throws SQLException, ShadowFailure, InterruptedException;
    }

    private MaterializedViews() {
    }

    /** Preflight: what the shadow path cannot carry over for the table's materialized views, in words. */
    static List<String> problems(Connection c, ShadowNames n, List<TargetCatalog.MaterializedView> dependents) throws SQLException {
        List<String> problems = new ArrayList<>();
        for (TargetCatalog.MaterializedView m : dependents) {
            String mQ = qualified(m.schema(), m.name());
            for (TargetCatalog.MaterializedView chained : TargetCatalog.materializedViews(c, m.schema(), m.name())) {
                problems.add("materialized view " + qualified(chained.schema(), chained.name()) + " selects from materialized view "
                        + mQ + ", which selects from " + n.qualified(n.table()) + ": the shadow path swaps in a rebuilt " + mQ
                        + " and re-points the plain views over it, not materialized views; drop "
                        + qualified(chained.schema(), chained.name()) + " before the migration and re-create it after");
            }
            for (TargetCatalog.Index idx : TargetCatalog.indexes(c, m.schema(), m.name())) {
                if (idx.usingClause() == null) {
                    problems.add("cannot rebuild index " + quote(idx.name()) + " of materialized view " + mQ + ": its definition has an unexpected form");
                }
            }
        }
        return problems;
    }

    /**
     * In the cutover transaction, after the tables swapped: a new, empty materialized view for each one that selected
     * from the table, from its definition read before the swap (which names the table, so now the rebuilt one).
     */
    static void createNew(Connection c, ShadowNames n, List<TargetCatalog.MaterializedView> dependents) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (TargetCatalog.MaterializedView m : dependents) {
                StatementFailed.exec(s, "CREATE MATERIALIZED VIEW " + qualified(m.schema(), n.newMatview(m.name())) + m.storage()
                        + " AS " + m.definition() + " WITH NO DATA");
            }
        }
    }

    /**
     * After the cutover committed, and again on every resume: each materialized view that still reads the rollback
     * table and has a new one is swapped for it. A failed statement propagates; the rebuilt table serves regardless.
     */
    static void finish(Connection c, ShadowNames n, ShortLock shortLock) throws SQLException, ShadowFailure, InterruptedException {
        c.setAutoCommit(true);
        for (TargetCatalog.MaterializedView m : TargetCatalog.materializedViews(c, n.schema(), n.rollback())) {
            String fresh = n.newMatview(m.name());
            Optional<Boolean> freshPopulated = TargetCatalog.matviewPopulated(c, m.schema(), fresh);
            if (freshPopulated.isEmpty()) {
                // a rollback copy, swapped out earlier
                continue;
            }
            String mQ = qualified(m.schema(), m.name());
            String freshQ = qualified(m.schema(), fresh);
            try (Statement s = c.createStatement()) {
                if (m.populated() && !freshPopulated.get()) {
                    LOG.infof("refreshing %s, the rebuilt %s (it locks only itself: %s and %s are not held up)", freshQ, mQ, mQ, n.qualified(n.table()));
                    StatementFailed.exec(s, "REFRESH MATERIALIZED VIEW " + freshQ);
                }
                // built after the refresh (faster than maintaining them through it); IF NOT EXISTS for a resumed run
                for (TargetCatalog.Index idx : TargetCatalog.indexes(c, m.schema(), m.name())) {
                    if (idx.usingClause() == null) {
                        throw new UnsupportedTable("cannot rebuild index " + quote(idx.name()) + " of materialized view " + mQ
                                + ": its definition has an unexpected form");
                    }
                    StatementFailed.exec(s, "CREATE " + (idx.unique() ? "UNIQUE " : "") + "INDEX IF NOT EXISTS "
                            + quote(n.shadowIndex(idx.name())) + " ON " + freshQ + " " + idx.usingClause());
                }
                for (String g : TargetCatalog.grantsFor(c, m.schema(), m.name(), freshQ)) {
                    StatementFailed.exec(s, g);
                }
                for (String g : TargetCatalog.commentAndOwnerFor(c, m.schema(), m.name(), freshQ, "MATERIALIZED VIEW")) {
                    StatementFailed.exec(s, g);
                }
            }
            shortLock.run(c, "swapping in the rebuilt materialized view " + mQ, conn -> {
                swap(conn, m.schema(), m.name(), fresh, n.oldMatview(m.name()), n::shadowIndex, n::retiredIndex);
                return null;
            });
            LOG.infof("%s now reads the rebuilt %s; its previous rows are kept as %s with the rollback point", mQ,
                    n.qualified(n.table()), qualified(m.schema(), n.oldMatview(m.name())));
        }
    }

    /**
     * {@link #finish} for a run that finds its cutover recorded already, and for retention: takes the table's
     * advisory lock itself (a concurrent run or cleanup is left to it), and reports a failed statement as a
     * {@link ShadowFailure} that says the cutover had committed. Transient errors propagate for a retry.
     */
    static void finishAfterCutover(TargetDatabases targets, String target, ShadowNames n, ShortLock shortLock)
            throws SQLException, ShadowFailure, InterruptedException {
        try (Connection c = targets.open(target)) {
            c.setAutoCommit(true);
            if (!ShadowEngine.advisoryLock(c, n)) {
                LOG.infof("another session holds %s: it finishes the materialized views", n.advisoryKey());
                return;
            }
            finishAfterCutover(c, n, shortLock);
        }
    }

    /** As above, on a connection that holds the table's advisory lock. */
    static void finishAfterCutover(Connection c, ShadowNames n, ShortLock shortLock) throws SQLException, ShadowFailure, InterruptedException {
        try {
            finish(c, n, shortLock);
        } catch (SQLException e) {
            if (SqlErrors.isTransient(e)) {
                throw e;
            }
            String kind = e instanceof StatementFailed sf ? sf.kind() : "reading the catalog";
            throw new ShadowFailure("shadow rebuild of " + n.qualified(n.table()) + " failed in phase CUTOVER on " + kind
                    + " (swapping in the rebuilt materialized views): " + SqlErrors.describe(e) + "; the cutover had committed: the rebuilt"
                    + " table serves, and materialized views not yet swapped keep serving their rows from " + n.qualified(n.rollback()), e);
        }
    }

    /**
     * Before a swap-back, outside any lock: each rollback copy is refreshed (locking only itself) so that it comes back
     * with the rows its table has now rather than those of the cutover, unless the rebuilt one is unpopulated too.
     */
    static void refreshRollbackCopies(Connection c, ShadowNames n) throws SQLException {
        c.setAutoCommit(true);
        for (TargetCatalog.MaterializedView m : TargetCatalog.materializedViews(c, n.schema(), n.table())) {
            String old = n.oldMatview(m.name());
            if (m.populated() && readsRelation(c, m.schema(), old, n.schema(), n.rollback())) {
                try (Statement s = c.createStatement()) {
                    StatementFailed.exec(s, "REFRESH MATERIALIZED VIEW " + qualified(m.schema(), old));
                }
            }
        }
    }

    /** What a swap-back does with the materialized views, read in its transaction before the tables swap. */
    record SwapBackPlan(List<TargetCatalog.MaterializedView> swapped, List<TargetCatalog.MaterializedView> unswappedNew) {
    }

    /**
     * In the swap-back transaction, before the tables swap: the swapped ones (their rollback copy reads the rollback
     * table) and the new ones whose swap never happened. A materialized view created on the rebuilt table after the
     * cutover has no rollback copy to return to: the swap-back is refused, naming it, before anything changes.
     */
    static SwapBackPlan beforeSwapBack(Connection c, ShadowNames n) throws SQLException, ShadowFailure {
        List<TargetCatalog.MaterializedView> onRollback = TargetCatalog.materializedViews(c, n.schema(), n.rollback());
        List<TargetCatalog.MaterializedView> swapped = new ArrayList<>();
        List<TargetCatalog.MaterializedView> unswappedNew = new ArrayList<>();
        for (TargetCatalog.MaterializedView m : TargetCatalog.materializedViews(c, n.schema(), n.table())) {
            if (onRollback.stream().anyMatch(o -> o.schema().equals(m.schema()) && o.name().equals(n.oldMatview(m.name())))) {
                swapped.add(m);
            } else if (onRollback.stream().anyMatch(o -> o.schema().equals(m.schema()) && n.newMatview(o.name()).equals(m.name()))) {
                unswappedNew.add(m);
            } else {
                throw new UnsupportedTable("materialized view " + qualified(m.schema(), m.name()) + " selects from "
                        + n.qualified(n.table()) + " and was created after the cutover: it has no copy on the original table to"
                        + " return to; drop it, roll back, and re-create it. Nothing was changed");
            }
        }
        return new SwapBackPlan(swapped, unswappedNew);
    }

    /** In the swap-back transaction, after the tables swapped: the rollback copies take their names back. */
    static void swapBack(Connection c, ShadowNames n, SwapBackPlan plan) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (TargetCatalog.MaterializedView m : plan.unswappedNew()) {
                StatementFailed.exec(s, "DROP MATERIALIZED VIEW IF EXISTS " + qualified(m.schema(), m.name()));
            }
        }
        for (TargetCatalog.MaterializedView m : plan.swapped()) {
            String retired = n.retiredMatview(m.name());
            swap(c, m.schema(), m.name(), n.oldMatview(m.name()), retired, n::retiredIndex, n::shadowIndex);
            try (Statement s = c.createStatement()) {
                // nothing selects from it any more (its views were re-pointed), and the lock is held already
                StatementFailed.exec(s, "DROP MATERIALIZED VIEW " + qualified(m.schema(), retired));
            }
        }
    }

    /**
     * Retention, in the cleanup's short-lock transaction: the rollback copies go. One whose swap has not finished still
     * serves under its own name and reads the rollback table, so the rollback point is kept (a ShadowFailure says
     * why) rather than dropped with a user's materialized view.
     */
    static void dropRollbackCopies(Connection c, ShadowNames n) throws SQLException, ShadowFailure {
        List<String> drop = new ArrayList<>();
        for (TargetCatalog.MaterializedView m : TargetCatalog.materializedViews(c, n.schema(), n.rollback())) {
            // a copy's name keeps its suffix whole (ShadowNames.oldMatview), whatever the length of the view's name
            if (!m.name().endsWith("_ss_mvold_" + n.shortId())) {
                boolean unfinished = TargetCatalog.matviewPopulated(c, m.schema(), n.newMatview(m.name())).isPresent();
                throw new ShadowFailure("materialized view " + qualified(m.schema(), m.name()) + " still reads the rollback table "
                        + n.qualified(n.rollback()) + (unfinished
                        ? ": its swap onto the rebuilt table has not finished (the next cleanup tries again)"
                        : ": it is not a rollback copy Shadowshift made; drop it or re-create it on " + n.qualified(n.table()))
                        + "; the rollback point is kept until then");
            }
            drop.add(qualified(m.schema(), m.name()));
        }
        try (Statement s = c.createStatement()) {
            for (String m : drop) {
                StatementFailed.exec(s, "DROP MATERIALIZED VIEW IF EXISTS " + m);
            }
        }
    }

    /**
     * Abandon (before the cutover committed): a new materialized view only ever exists after it, but one made on the
     * shadow table would stop the shadow's DROP, so any of ours that reads it goes first.
     */
    static void dropNewOnShadow(Connection c, ShadowNames n) throws SQLException {
        List<TargetCatalog.MaterializedView> onOriginal = TargetCatalog.materializedViews(c, n.schema(), n.table());
        try (Statement s = c.createStatement()) {
            for (TargetCatalog.MaterializedView m : TargetCatalog.materializedViews(c, n.schema(), n.shadow())) {
                if (onOriginal.stream().anyMatch(o -> o.schema().equals(m.schema()) && n.newMatview(o.name()).equals(m.name()))) {
                    StatementFailed.exec(s, "DROP MATERIALIZED VIEW IF EXISTS " + qualified(m.schema(), m.name()));
                }
            }
        }
    }

    /**
     * In one short-lock transaction: the serving materialized view gives its name, and its indexes' names, to the
     * standby, and the plain views over it are re-created from definitions read before the rename so they follow.
     * Does nothing when the standby is gone (an earlier run swapped it).
     */
    private static void swap(Connection c, String schema, String serving, String standby, String retiredName,
                             UnaryOperator<String> standbyIndexName, UnaryOperator<String> retiredIndexName) throws SQLException {
        String servingQ = qualified(schema, serving);
        String standbyQ = qualified(schema, standby);
        List<String> owner = TargetCatalog.commentAndOwnerFor(c, schema, serving, servingQ, "MATERIALIZED VIEW");
        if (owner.isEmpty() || TargetCatalog.matviewPopulated(c, schema, standby).isEmpty()) {
            return;
        }
        try (Statement s = c.createStatement()) {
            // LOCK TABLE refuses materialized views; setting the owner it already has changes nothing but takes the
            // ACCESS EXCLUSIVE lock under lock_timeout, before the dependents are read
            StatementFailed.exec(s, owner.get(owner.size() - 1));
        }
        List<TargetCatalog.View> views = TargetCatalog.views(c, schema, serving);
        List<List<String>> viewGrants = TableSwap.viewGrants(c, views);
        List<TargetCatalog.Index> indexes = TargetCatalog.indexes(c, schema, serving);
        List<String> standbyIndexes = TargetCatalog.indexes(c, schema, standby).stream().map(TargetCatalog.Index::name).toList();
        try (Statement s = c.createStatement()) {
            StatementFailed.exec(s, "ALTER MATERIALIZED VIEW " + servingQ + " RENAME TO " + quote(retiredName));
            StatementFailed.exec(s, "ALTER MATERIALIZED VIEW " + standbyQ + " RENAME TO " + quote(serving));
            for (TargetCatalog.Index idx : indexes) {
                String counterpart = standbyIndexName.apply(idx.name());
                if (standbyIndexes.contains(counterpart)) {
                    StatementFailed.exec(s, "ALTER INDEX " + qualified(schema, idx.name()) + " RENAME TO " + quote(retiredIndexName.apply(idx.name())));
                    StatementFailed.exec(s, "ALTER INDEX " + qualified(schema, counterpart) + " RENAME TO " + quote(idx.name()));
                }
            }
        }
        TableSwap.recreateViews(c, views, viewGrants);
    }

    /** True when materialized view {@code schema.name} exists and selects from {@code tableSchema.table} directly. */
    private static boolean readsRelation(Connection c, String schema, String name, String tableSchema, String table) throws SQLException {
        return TargetCatalog.materializedViews(c, tableSchema, table).stream()
                .anyMatch(m -> m.schema().equals(schema) && m.name().equals(name));
    }
}
