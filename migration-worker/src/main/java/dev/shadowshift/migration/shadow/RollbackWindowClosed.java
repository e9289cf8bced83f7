package dev.shadowshift.migration.shadow;

/** A rollback asked for after the rebuild's rollback window closed: the original table is gone, nothing was changed. */
public class RollbackWindowClosed extends ShadowFailure {
    public RollbackWindowClosed(String message) {
        super(message);
    }

    /** What a user reads: when the window closed, why, and what to do instead. */
    public static String message(ShadowCheckpoint cp, String backupId) {
        String at = cp.rollbackUntil() == null ? "an unknown time" : cp.rollbackUntil().toInstant().toString();
        String table = dev.shadowshift.pg.SqlIdentifiers.qualified(cp.schema(), cp.table());
        return "the rollback window of " + table + " closed at " + at + (cp.error() != null ? " (" + cp.error() + ")" : "")
                + (cp.phase().equals(ShadowCheckpoint.CLEANED) ? "; the original table was dropped with it"
                : "; the original table is being dropped")
                + ", so the rebuilt table cannot be swapped back. To go back, restore the plan's backup"
                + (backupId == null ? "" : " " + backupId) + " (./shadowshift backup restore" + (backupId == null ? " <id>" : " " + backupId)
                + " restores it into a new database, from which the rows can be copied back), or submit a spec that changes the type back";
    }
}
