package dev.shadowshift.backup.catalog;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * One row of the backup catalog.
 *
 * @param tables          the tables asked for ("schema.table", as a plan names them); for a whole-database backup the
 *                        tables found in the dump's snapshot
 * @param tableRows       each table's rows at dump time and, once verified, in the last restore
 * @param pinned          pinned by an operator
 * @param planPinnedUntil while set, the plan's rollback window is open and keeps the backup; at the latest until then
 */
public record BackupEntry(
        String backupId,
        String planId,
        String target,
        Trigger trigger,
        List<String> tables,
        boolean wholeDatabase,
        List<TableCount> tableRows,
        String location,
        String format,
        Long sizeBytes,
        String sha256,
        Integer archiveEntries,
        Status status,
        String reason,
        boolean pinned,
        OffsetDateTime planPinnedUntil,
        String planStrategy,
        OffsetDateTime createdAt,
        OffsetDateTime finishedAt,
        OffsetDateTime verifiedAt,
        OffsetDateTime corruptAt,
        OffsetDateTime expiresAt,
        Double dumpSeconds,
        Double verifySeconds,
        String lastVerifyError) {

    public enum Status { RUNNING, VERIFIED, CORRUPT, FAILED, EXPIRED }

    public enum Trigger { PLAN, MANUAL, SCHEDULED }

    /** Retention never removes it: an operator pinned it, or its plan's rollback window is still open. */
    public boolean pinnedAt(OffsetDateTime now) {
        return pinned || (planPinnedUntil != null && planPinnedUntil.isAfter(now));
    }

    /** There is an archive to verify, restore or remove. */
    public boolean hasArchive() {
        return location != null && (status == Status.VERIFIED || status == Status.CORRUPT);
    }
}
