package dev.shadowshift.contracts.events;

/**
 * How a plan's execution is going.
 *
 * @param status STARTED, RUNNING, COMPLETED, FAILED or ROLLED_BACK
 * @param phase  the phase the migration is in, e.g. IN_PLACE, PREPARATION, SHADOW, OPTIMIZATION, CUTOVER
 */
public record MigrationProgress(
        String planId,
        String target,
        String status,
        String phase,
        int stepsDone,
        int stepsTotal,
        String message,
        Long rowsCopied,
        Long rowsTotal,
        Double rowsPerSecond,
        Long etaSeconds) {
}
