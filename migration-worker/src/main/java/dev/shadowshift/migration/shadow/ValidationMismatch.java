package dev.shadowshift.migration.shadow;

/** Before cutover the shadow did not equal the converted original (row count or EXCEPT in one snapshot). */
public class ValidationMismatch extends ShadowFailure {
    public ValidationMismatch(String message) {
        super(message);
    }
}
