package dev.shadowshift.contracts;

import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.contracts.events.SpecSubmitted;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every CloudEvents type Shadowshift speaks, the topic it travels on and the Java record of its data.
 * The JSON Schema of each type's data lives at {@code /schemas/<type>.json} on the classpath.
 */
public enum EventType {
    SPEC_SUBMITTED(Topics.SPEC_SUBMITTED, "dev.shadowshift.spec.submitted.v1", SpecSubmitted.class),
    SPEC_CHANGED(Topics.SPEC_CHANGED, "dev.shadowshift.spec.changed.v2", SpecChanged.class),
    MIGRATION_PLANNED(Topics.MIGRATION_PLANNED, "dev.shadowshift.migration.planned.v2", MigrationPlanned.class),
    MIGRATION_PROGRESS(Topics.MIGRATION_PROGRESS, "dev.shadowshift.migration.progress.v1", MigrationProgress.class),
    BACKUP_COMPLETED(Topics.BACKUP_COMPLETED, "dev.shadowshift.backup.completed.v1", BackupCompleted.class),
    BACKUP_FAILED(Topics.BACKUP_FAILED, "dev.shadowshift.backup.failed.v1", BackupFailed.class),
    ALERT(Topics.ALERTS, "dev.shadowshift.alert.v2", Alert.class);

    private final String topic;
    private final String type;
    private final Class<?> dataClass;

    EventType(String topic, String type, Class<?> dataClass) {
        this.topic = topic;
        this.type = type;
        this.dataClass = dataClass;
    }

    public String topic() {
        return topic;
    }

    public String type() {
        return type;
    }

    public Class<?> dataClass() {
        return dataClass;
    }

    public String schemaResource() {
        return "/schemas/" + type + ".json";
    }

    /**
     * Types that were once published and are no longer acted on, with the reason a consumer gives when one arrives:
     * such a record goes to the dead-letter topic, never into a plan.
     */
    public static final java.util.Map<String, String> RETIRED = java.util.Map.of(
            "dev.shadowshift.spec.changed.v1", "dev.shadowshift.spec.changed.v1 carried SQL text in its changes and is no "
                    + "longer acted on; producers publish dev.shadowshift.spec.changed.v2, whose changes are typed data",
            "dev.shadowshift.alert.v1", "dev.shadowshift.alert.v1 mixed changing values into its labels and is no longer "
                    + "acted on; monitor-service publishes dev.shadowshift.alert.v2, in Alertmanager's alert model",
            "dev.shadowshift.migration.planned.v1", "dev.shadowshift.migration.planned.v1 carried SQL text in its steps and is "
                    + "no longer acted on; migration-worker publishes dev.shadowshift.migration.planned.v2, whose steps are typed data");

    public static Optional<EventType> ofType(String type) {
        return Arrays.stream(values()).filter(t -> t.type.equals(type)).findFirst();
    }

    public static EventType of(Class<?> dataClass) {
        return Arrays.stream(values()).filter(t -> t.dataClass.equals(dataClass)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no event type carries " + dataClass.getName()));
    }
}
