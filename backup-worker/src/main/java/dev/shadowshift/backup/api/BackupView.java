package dev.shadowshift.backup.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shadowshift.backup.catalog.BackupEntry;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * A backup as the REST API shows it.
 *
 * @param pinned          retention will not remove it: {@code pinnedByOperator}, or its plan's rollback window is
 *                        open (until {@code planPinnedUntil} at the latest)
 * @param tables          each table with its rows counted at dump time in the dump's snapshot, and
 *                        {@code restoredRows} from the last verification restore
 * @param lastVerifyError the last verification that could not run (it says nothing about the archive)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupView(
        String id,
        String planId,
        String target,
        String trigger,
        String status,
        String reason,
        boolean pinned,
        boolean pinnedByOperator,
        OffsetDateTime planPinnedUntil,
        String location,
        String format,
        Long sizeBytes,
        String sha256,
        Integer archiveEntries,
        boolean wholeDatabase,
        List<Table> tables,
        OffsetDateTime createdAt,
        OffsetDateTime finishedAt,
        OffsetDateTime verifiedAt,
        OffsetDateTime corruptAt,
        OffsetDateTime expiresAt,
        Double dumpSeconds,
        Double verifySeconds,
        String lastVerifyError) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Table(String name, Long rows, Long restoredRows) {
    }

    static BackupView of(BackupEntry b) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Table> tables = b.tableRows().isEmpty()
                ? b.tables().stream().map(t -> new Table(t, null, null)).toList()
                : b.tableRows().stream().map(t -> new Table(t.name().qualified(), t.rows(), t.restoredRows())).toList();
        boolean planPin = b.planPinnedUntil() != null && b.planPinnedUntil().isAfter(now);
        return new BackupView(b.backupId(), b.planId(), b.target(), b.trigger().name(), b.status().name(), b.reason(), b.pinnedAt(now),
                b.pinned(), planPin ? b.planPinnedUntil() : null, b.location(), b.format(), b.sizeBytes(), b.sha256(), b.archiveEntries(),
                b.wholeDatabase(), tables, b.createdAt(), b.finishedAt(), b.verifiedAt(), b.corruptAt(), b.expiresAt(), b.dumpSeconds(), b.verifySeconds(),
                b.lastVerifyError());
    }
}
