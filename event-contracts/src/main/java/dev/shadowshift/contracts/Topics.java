package dev.shadowshift.contracts;

/** Kafka topic names. They are part of the public contract: upstream systems and dashboards subscribe to them by name. */
public final class Topics {
    public static final String SPEC_SUBMITTED = "spec-submitted";
    public static final String SPEC_CHANGED = "spec-changed";
    public static final String MIGRATION_PLANNED = "migration-planned";
    public static final String MIGRATION_PROGRESS = "migration-progress";
    public static final String BACKUP_COMPLETED = "backup-completed";
    public static final String BACKUP_FAILED = "backup-failed";
    public static final String ALERTS = "alerts";

    /** Every consumer sends what it cannot process here, with the reason in the record headers. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    public static final java.util.List<String> ALL = java.util.List.of(
            SPEC_SUBMITTED, SPEC_CHANGED, MIGRATION_PLANNED, MIGRATION_PROGRESS,
            BACKUP_COMPLETED, BACKUP_FAILED, ALERTS);

    private Topics() {
    }
}
