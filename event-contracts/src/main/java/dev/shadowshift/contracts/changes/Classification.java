package dev.shadowshift.contracts.changes;

/** How risky a change is; the primary one decides its path. */
public enum Classification {
    ADDITIVE, RELAXING, REWRITE, LOCKING, DATA_DEPENDENT, DESTRUCTIVE, BACKWARD_INCOMPATIBLE, IDENTIFIER_TOO_LONG
}
