package dev.shadowshift.contracts.changes;

/** How a change is applied: in place under a short lock, through a shadow table, or only once an operator approved it. */
public enum ChangePath {
    IN_PLACE, SHADOW_TABLE, NEEDS_APPROVAL
}
