package dev.shadowshift.migration.shadow;

/**
 * The unlogged change log was emptied under a running rebuild (the server crashed and recovered, or a standby was
 * promoted) after its last check: writes it held are gone, so the shadow cannot be trusted. Before cutover only.
 */
public class CaptureLost extends ShadowFailure {
    public CaptureLost(String message) {
        super(message);
    }
}
