package dev.shadowshift.contracts.events;

import java.util.List;

/** The backup a plan asked for could not be made or verified; the plan must not proceed. */
public record BackupFailed(String planId, String target, List<String> tables, String reason) {
}
