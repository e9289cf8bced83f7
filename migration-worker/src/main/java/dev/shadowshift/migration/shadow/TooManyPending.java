package dev.shadowshift.migration.shadow;

/** The cutover got its lock but found more logged writes to copy than it may under the lock; it let go, nothing changed. */
public class TooManyPending extends ShadowFailure {
    public TooManyPending(String message) {
        super(message);
    }
}
