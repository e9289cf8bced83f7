package dev.shadowshift.contracts.events;

/** The {@code status} of a migration-progress event. */
public enum ProgressStatus {
    STARTED, RUNNING, COMPLETED, FAILED, ROLLED_BACK
}
