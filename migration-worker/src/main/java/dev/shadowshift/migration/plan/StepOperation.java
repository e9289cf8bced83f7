package dev.shadowshift.migration.plan;

import dev.shadowshift.contracts.changes.SchemaChange;

/**
 * The typed change one in-place step runs, with its type names as the server spelled them: stored with the plan,
 * and the only thing execution renders SQL from (migration-planned announces the step as data, never as SQL).
 */
public record StepOperation(int order, SchemaChange change) {
}
