package dev.shadowshift.migration.shadow;

/** The backup gate: no verified backup-completed is recorded for the plan, so the shadow path does not cut over. */
public class BackupMissing extends ShadowFailure {
    public BackupMissing(String message) {
        super(message);
    }
}
