package dev.shadowshift.migration.support;

import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;

/**
 * Where the engine's announcements go: migration-planned and migration-progress on Kafka in the worker, the user's
 * terminal (a progress bar) in {@code ./shadowshift migrate}. The engine reports; what hears it is not its concern.
 */
public interface Announcements {

    void planned(MigrationPlanned plan);

    void progress(MigrationProgress progress);
}
