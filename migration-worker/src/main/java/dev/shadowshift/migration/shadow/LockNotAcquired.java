package dev.shadowshift.migration.shadow;

/** A short-lock step (capture install, cutover, swap back) could not get its lock within lock_timeout after every attempt. */
public class LockNotAcquired extends ShadowFailure {
    public LockNotAcquired(String message, Throwable cause) {
        super(message, cause);
    }
}
