package dev.shadowshift.migration.plan;

import dev.shadowshift.contracts.changes.SchemaChange;

/**
 * The typed change one in-place step runs, with its type names as the server spelled them: stored with the plan,
 * and the only thing execution renders SQL from (the step's {@code sql} in migration-planned is for people).
 */
public record StepOperation(int order, SchemaChange change) {
}
