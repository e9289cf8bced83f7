package dev.shadowshift.migration.shadow;

/** A shadow migration cannot go on; the message says why in a user's terms. The shadow objects are removed. */
public class ShadowFailure extends Exception {
    public ShadowFailure(String message) {
        super(message);
    }

    public ShadowFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
