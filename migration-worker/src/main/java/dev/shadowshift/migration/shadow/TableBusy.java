package dev.shadowshift.migration.shadow;

/** Another worker holds the table's advisory lock: one migration per table at a time. Retried later, nothing dropped. */
public class TableBusy extends ShadowFailure {
    public TableBusy(String message) {
        super(message);
    }
}
