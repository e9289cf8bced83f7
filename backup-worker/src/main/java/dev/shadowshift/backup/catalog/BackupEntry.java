package dev.shadowshift.backup.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.OffsetDateTime;
import java.util.List;

/** One row of the backup catalog, as the REST API shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupEntry(
        String backupId,
        String planId,
        String target,
        List<String> tables,
        String location,
        String format,
        Long sizeBytes,
        String sha256,
        Integer archiveEntries,
        String status,
        String reason,
        OffsetDateTime createdAt,
        OffsetDateTime verifiedAt,
        OffsetDateTime expiresAt) {
}
