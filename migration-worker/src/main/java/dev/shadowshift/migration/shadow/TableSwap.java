package dev.shadowshift.migration.shadow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static dev.shadowshift.pg.SqlIdentifiers.quote;

/**
 * The swap both cutover and swap-back use, inside the caller's short-lock transaction: the serving table gives
 * its name to the standby table, and everything that follows the table's OID rather than its name is carried
 * over: index names, sequence ownership and identity positions, plain views (re-created from their definitions,
 * which name the table; materialized views hold rows and are swapped after commit, see {@link MaterializedViews}),
 * foreign keys pointing in (re-added NOT VALID, validated after commit), grants, comment, owner and user triggers
 * (the retired table's are disabled so that a mirrored write does not fire them twice).
 *
 * @param retiredName         the serving table's name once it stops serving
 * @param standbyIndexName    the standby's counterpart of a serving index
 * @param retiredIndexName    what a serving index is renamed to
 * @param dropTriggers        trigger names on the serving table to drop first (capture / reverse sync)
 */
record TableSwap(String schema, String serving, String standby, String retiredName,
                 UnaryOperator<String> standbyIndexName, UnaryOperator<String> retiredIndexName, List<String> dropTriggers) {

    /** @return the foreign keys pointing in, to VALIDATE after commit: schema, table, constraint */
    List<TargetCatalog.Constraint> run(Connection c) throws SQLException {
        String servingQ = q(serving);
        String standbyQ = q(standby);
        List<TargetCatalog.Constraint> fksIn = TargetCatalog.foreignKeysIn(c, schema, serving);
        try (Statement s = c.createStatement()) {
            StatementFailed.exec(s, "LOCK TABLE " + servingQ + ", " + standbyQ + " IN ACCESS EXCLUSIVE MODE");
            for (TargetCatalog.Constraint fk : fksIn) {
                StatementFailed.exec(s, "LOCK TABLE " + dev.shadowshift.pg.SqlIdentifiers.qualified(fk.schema(), fk.table()) + " IN SHARE ROW EXCLUSIVE MODE");
            }
        }
        // read everything while the serving table still has its name: definitions print it, and so resolve to
        // the standby once it takes the name
        // plain views only: materialized views hold rows and are swapped after commit (MaterializedViews)
        List<TargetCatalog.View> views = TargetCatalog.views(c, schema, serving);
        List<TargetCatalog.Trigger> triggers = TargetCatalog.userTriggers(c, schema, serving);
        List<String> standbyTriggers = TargetCatalog.userTriggers(c, schema, standby).stream().map(TargetCatalog.Trigger::name).toList();
        List<TargetCatalog.OwnedSequence> sequences = TargetCatalog.ownedSequences(c, schema, serving);
        List<String> grants = TargetCatalog.grantsFor(c, schema, serving, servingQ);
        List<String> commentOwner = TargetCatalog.commentAndOwnerFor(c, schema, serving, servingQ);
        List<TargetCatalog.Index> indexes = TargetCatalog.indexes(c, schema, serving);
        List<String> standbyIndexes = TargetCatalog.indexes(c, schema, standby).stream().map(TargetCatalog.Index::name).toList();
        List<List<String>> viewGrants = viewGrants(c, views);

        try (Statement s = c.createStatement()) {
            for (String t : dropTriggers) {
                StatementFailed.exec(s, "DROP TRIGGER IF EXISTS " + quote(t) + " ON " + servingQ);
            }
            StatementFailed.exec(s, "ALTER TABLE " + servingQ + " RENAME TO " + quote(retiredName));
            StatementFailed.exec(s, "ALTER TABLE " + standbyQ + " RENAME TO " + quote(serving));
            for (TargetCatalog.Index idx : indexes) {
                String counterpart = standbyIndexName.apply(idx.name());
                if (!standbyIndexes.contains(counterpart)) {
                    continue;
                }
                StatementFailed.exec(s, "ALTER INDEX " + q(idx.name()) + " RENAME TO " + quote(retiredIndexName.apply(idx.name())));
                StatementFailed.exec(s, "ALTER INDEX " + q(counterpart) + " RENAME TO " + quote(idx.name()));
                if (idx.constraint() != null && !idx.primary() && !hasConstraintIndex(c, idx.name())) {
                    StatementFailed.exec(s, "ALTER TABLE " + servingQ + " ADD CONSTRAINT " + quote(idx.constraint()) + " UNIQUE USING INDEX " + quote(idx.name()));
                }
            }
        }
        for (TargetCatalog.OwnedSequence seq : sequences) {
            String seqQ = dev.shadowshift.pg.SqlIdentifiers.qualified(seq.schema(), seq.name());
            if (seq.identity()) {
                // the standby has its own identity sequence: continue where the serving one is
                try (PreparedStatement ps = c.prepareStatement("SELECT setval(pg_get_serial_sequence(?, ?), s.last_value, s.is_called) FROM " + seqQ + " s")) {
                    ps.setString(1, servingQ);
                    ps.setString(2, seq.column());
                    ps.execute();
                }
                // ...and takes its name, like the indexes: the table that serves keeps the sequence name users know
                String standbySeq = null;
                try (PreparedStatement ps = c.prepareStatement("SELECT c.relname FROM pg_class c "
                        + "WHERE c.oid = pg_get_serial_sequence(?, ?)::regclass AND c.relnamespace = to_regnamespace(?)")) {
                    ps.setString(1, servingQ);
                    ps.setString(2, seq.column());
                    ps.setString(3, quote(seq.schema()));
                    try (ResultSet rs = ps.executeQuery()) {
                        standbySeq = rs.next() ? rs.getString(1) : null;
                    }
                }
                if (standbySeq != null && !standbySeq.equals(seq.name())) {
                    try (Statement s = c.createStatement()) {
                        StatementFailed.exec(s, "ALTER SEQUENCE " + seqQ + " RENAME TO " + quote(retiredIndexName.apply(seq.name())));
                        StatementFailed.exec(s, "ALTER SEQUENCE " + dev.shadowshift.pg.SqlIdentifiers.qualified(seq.schema(), standbySeq)
                                + " RENAME TO " + quote(seq.name()));
                    }
                }
            } else {
                try (Statement s = c.createStatement()) {
                    StatementFailed.exec(s, "ALTER SEQUENCE " + seqQ + " OWNED BY " + servingQ + "." + quote(seq.column()));
                }
            }
        }
        recreateViews(c, views, viewGrants);
        try (Statement s = c.createStatement()) {
            for (TargetCatalog.Constraint fk : fksIn) {
                String refQ = dev.shadowshift.pg.SqlIdentifiers.qualified(fk.schema(), fk.table());
                StatementFailed.exec(s, "ALTER TABLE " + refQ + " DROP CONSTRAINT " + quote(fk.name()));
                String def = fk.definition().endsWith(" NOT VALID") ? fk.definition() : fk.definition() + " NOT VALID";
                StatementFailed.exec(s, "ALTER TABLE " + refQ + " ADD CONSTRAINT " + quote(fk.name()) + " " + def);
            }
            for (String g : grants) {
                StatementFailed.exec(s, g);
            }
            for (String g : commentOwner) {
                StatementFailed.exec(s, g);
            }
            for (TargetCatalog.Trigger t : triggers) {
                if (standbyTriggers.contains(t.name())) {
                    StatementFailed.exec(s, "ALTER TABLE " + servingQ + " ENABLE TRIGGER " + quote(t.name()));
                } else {
                    StatementFailed.exec(s, t.definition());
                }
                StatementFailed.exec(s, "ALTER TABLE " + q(retiredName) + " DISABLE TRIGGER " + quote(t.name()));
            }
        }
        return fksIn.stream().filter(fk -> !fk.definition().endsWith(" NOT VALID")).toList();
    }

    /** The GRANTs of each view, read before a swap: a view that must be dropped and re-created gets them back. */
    static List<List<String>> viewGrants(Connection c, List<TargetCatalog.View> views) throws SQLException {
        List<List<String>> grants = new ArrayList<>();
        for (TargetCatalog.View v : views) {
            grants.add(TargetCatalog.grantsFor(c, v.schema(), v.name(), dev.shadowshift.pg.SqlIdentifiers.qualified(v.schema(), v.name())));
        }
        return grants;
    }

    /**
     * Inside the swap's transaction, once the standby has the name: each view is re-created from the definition read
     * before the rename, which names the relation and so now resolves to the standby.
     */
    static void recreateViews(Connection c, List<TargetCatalog.View> views, List<List<String>> viewGrants) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (int i = 0; i < views.size(); i++) {
                TargetCatalog.View v = views.get(i);
                String viewQ = dev.shadowshift.pg.SqlIdentifiers.qualified(v.schema(), v.name());
                Savepoint sp = c.setSavepoint();
                try {
                    StatementFailed.exec(s, "CREATE OR REPLACE VIEW " + viewQ + " AS " + v.definition());
                    c.releaseSavepoint(sp);
                } catch (SQLException e) {
                    // a view column changed type: CREATE OR REPLACE refuses, so the view is re-created with its grants
                    c.rollback(sp);
                    StatementFailed.exec(s, "DROP VIEW " + viewQ);
                    StatementFailed.exec(s, "CREATE VIEW " + viewQ + " AS " + v.definition());
                    for (String g : viewGrants.get(i)) {
                        StatementFailed.exec(s, g);
                    }
                }
            }
        }
    }

    /** After commit: VALIDATE re-added foreign keys (SHARE UPDATE EXCLUSIVE: writes go on). Repeatable. */
    static void validateForeignKeys(Connection c, List<TargetCatalog.Constraint> fks) throws SQLException {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            for (TargetCatalog.Constraint fk : fks) {
                StatementFailed.exec(s, "ALTER TABLE " + dev.shadowshift.pg.SqlIdentifiers.qualified(fk.schema(), fk.table())
                        + " VALIDATE CONSTRAINT " + quote(fk.name()));
            }
        }
    }

    private boolean hasConstraintIndex(Connection c, String index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_constraint WHERE conindid = to_regclass(?)")) {
            ps.setString(1, q(index));
            return ps.executeQuery().next();
        }
    }

    private String q(String name) {
        return dev.shadowshift.pg.SqlIdentifiers.qualified(schema, name);
    }
}
