package dev.shadowshift.migration.shadow;

import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.migration.plan.MigrationPlanner;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.pg.SqlIdentifiers;

import java.util.List;

/**
 * The steps one shadow rebuild announces in migration-planned, one per phase with the lock it takes, and the
 * statements each phase runs, rendered for people. Statements that depend on the live catalog (index definitions,
 * dependents) are read at run time; the dry-run endpoint shows them resolved.
 */
public final class ShadowSteps implements MigrationPlanner.ShadowSteps {

    /** The announcement of every rebuild, for the planner. */
    public static final ShadowSteps ANNOUNCED = new ShadowSteps();

    private ShadowSteps() {
    }

    @Override
    public List<MigrationPlanner.ShadowStep> of(String planId, ShadowRebuild rebuild) {
        return List.of(new MigrationPlanner.ShadowStep(PlanStep.Kind.SHADOW_PREPARE, LockLevel.ACCESS_SHARE),
                new MigrationPlanner.ShadowStep(PlanStep.Kind.SHADOW_COPY, LockLevel.SHARE_ROW_EXCLUSIVE),
                new MigrationPlanner.ShadowStep(PlanStep.Kind.SHADOW_OPTIMIZE, LockLevel.SHARE_UPDATE_EXCLUSIVE),
                new MigrationPlanner.ShadowStep(PlanStep.Kind.SHADOW_CUTOVER, LockLevel.ACCESS_EXCLUSIVE));
    }

    /**
     * What one phase of a rebuild runs, for people to read (the dry run, the CLI): rendered here from the typed
     * rebuild, never sent in an event.
     */
    public static String sql(String planId, ShadowRebuild rebuild, PlanStep.Kind phase) {
        ShadowNames n = ShadowNames.of(planId, rebuild.schema(), rebuild.table());
        String orig = n.qualified(rebuild.table());
        switch (phase) {
            case SHADOW_PREPARE -> {
                StringBuilder prepare = new StringBuilder("-- read-only preflight: primary key, disk estimate, long transactions, dependents\n");
                for (ShadowRebuild.ColumnChange c : rebuild.changes()) {
                    prepare.append("-- dry run over all rows: ").append(ShadowSql.castExpression(SqlIdentifiers.quote(c.column()), c))
                            .append(c.setNotNull() ? " IS NOT NULL" : " succeeds").append('\n');
                }
                return prepare.toString().strip();
            }
            case SHADOW_COPY -> {
                StringBuilder copy = new StringBuilder();
                copy.append(ShadowSql.createShadowTable(n)).append(";\n");
                for (String s : ShadowSql.alterShadowTypes(n, rebuild)) {
                    copy.append(s).append(";\n");
                }
                copy.append("-- capture: AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW on ").append(orig)
                        .append(" EXECUTE FUNCTION ").append(n.tool(n.captureFunction())).append("() appends the old and new key to ")
                        .append(n.tool(n.changeLog())).append("\n");
                copy.append("-- keyset backfill up to the high-water mark: INSERT INTO ").append(n.qualified(n.shadow()))
                        .append(" SELECT <casts> FROM ").append(orig)
                        .append(" WHERE pk > $last AND pk <= $hwm ORDER BY pk LIMIT $n (the position recorded in ")
                        .append(n.tool(n.backfillPosition())).append(" by the same statement)\n");
                copy.append("-- change log applied between batches and after the backfill: each logged key's row copied again from ")
                        .append(orig).append(" (upsert), or deleted from the shadow when gone");
                return copy.toString();
            }
            case SHADOW_OPTIMIZE -> {
                StringBuilder optimize = new StringBuilder("-- CREATE INDEX CONCURRENTLY of every index of ").append(orig)
                        .append(" on ").append(n.qualified(n.shadow())).append("; foreign keys NOT VALID, then VALIDATE\n");
                for (ShadowRebuild.ColumnChange c : rebuild.changes()) {
                    if (c.setNotNull()) {
                        optimize.append(ShadowSql.addNotNullCheck(n, c.column())).append(";\n")
                                .append(ShadowSql.validateConstraint(n, n.notNullCheck(c.column()))).append(";\n");
                    }
                }
                return optimize.toString().strip();
            }
            case SHADOW_CUTOVER -> {
                return "-- validate: count and md5 of the rows per primary-key range, one short snapshot each, a differing range re-checked after the change log is applied (keys still in it aside)\n"
                        + "SET LOCAL lock_timeout = '200ms';\nLOCK TABLE " + orig + ", " + n.qualified(n.shadow()) + " IN ACCESS EXCLUSIVE MODE;\n"
                        + "-- the last logged writes copied into " + n.qualified(n.shadow()) + "\n"
                        + "ALTER TABLE " + orig + " RENAME TO " + SqlIdentifiers.quote(n.rollback()) + ";\n"
                        + "ALTER TABLE " + n.qualified(n.shadow()) + " RENAME TO " + SqlIdentifiers.quote(rebuild.table()) + ";\n"
                        + "-- then: sequences, identity, views, foreign keys in, grants, comments, triggers carried over; "
                        + "capture dropped; the rollback window opens (rollback-window, 15m): the keys written to "
                        + orig + " are captured by replication slot " + n.windowSlot() + " where wal_level=logical, else by an "
                        + "AFTER ROW trigger appending only the key to " + n.tool(n.windowLog()) + "; a rollback replays them into "
                        + n.qualified(n.rollback()) + " and swaps it back; when the window closes, "
                        + n.qualified(n.rollback()) + ", the slot and the capture are dropped";
            }
            default -> throw new IllegalArgumentException(phase + " is not a phase of a shadow rebuild");
        }
    }
}
