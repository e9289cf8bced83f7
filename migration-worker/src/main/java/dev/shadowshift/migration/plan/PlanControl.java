package dev.shadowshift.migration.plan;

/** What an operator asked of a running plan; the run reads it between steps and batches (type {@code plan_control}). */
public enum PlanControl {
    PAUSE, CANCEL
}
