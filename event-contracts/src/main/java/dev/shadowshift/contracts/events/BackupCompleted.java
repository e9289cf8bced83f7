package dev.shadowshift.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A verified backup: its checksum is recorded, pg_restore read its table of contents and restored it into a scratch
 * database with the row counts taken at dump time.
 *
 * @param planId    the plan the backup was made for, or null for a backup made on request or on schedule; only a
 *                  plan's own backup opens that plan's gate
 * @param format    custom (one file) or directory (one file per table)
 * @param expiresAt the earliest time retention may remove it (created + max-age); kept longer while pinned or needed
 *                  for the minimum of verified backups, removed sooner when beyond keep-last. May be absent.
 * @param trigger   PLAN, MANUAL or SCHEDULED; absent from events of earlier versions
 * @param tableRows each table's rows counted at dump time in the dump's snapshot (and found again in the restore)
 */
public record BackupCompleted(
        @JsonInclude(JsonInclude.Include.ALWAYS) String planId,
        String backupId,
        String target,
        List<String> tables,
        String format,
        String location,
        long sizeBytes,
        String sha256,
        int archiveEntries,
        boolean verified,
        String expiresAt,
        String trigger,
        List<TableRows> tableRows) {

    /** What events of the first version carried. */
    public BackupCompleted(String planId, String backupId, String target, List<String> tables, String format, String location,
                           long sizeBytes, String sha256, int archiveEntries, boolean verified, String expiresAt) {
        this(planId, backupId, target, tables, format, location, sizeBytes, sha256, archiveEntries, verified, expiresAt,
                null, null);
    }

    public record TableRows(String name, long rows) {
    }
}
