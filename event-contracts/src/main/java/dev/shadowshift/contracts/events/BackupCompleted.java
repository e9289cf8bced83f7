package dev.shadowshift.contracts.events;

import java.util.List;

/** A verified backup of what a plan touches: pg_restore read its table of contents and the checksum is recorded. */
public record BackupCompleted(
        String planId,
        String backupId,
        String target,
        List<String> tables,
        String format,
        String location,
        long sizeBytes,
        String sha256,
        int archiveEntries,
        boolean verified,
        String expiresAt) {
}
