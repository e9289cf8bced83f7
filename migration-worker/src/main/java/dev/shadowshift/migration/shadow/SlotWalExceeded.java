package dev.shadowshift.migration.shadow;

/** The rebuild's replication slot held back more WAL than {@code shadowshift.migration.max-slot-wal}: abandoned, slot dropped. */
public class SlotWalExceeded extends ShadowFailure {
    public SlotWalExceeded(String message) {
        super(message);
    }
}
