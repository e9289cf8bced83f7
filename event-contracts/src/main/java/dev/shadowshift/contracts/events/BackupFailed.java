package dev.shadowshift.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A backup could not be made or verified (FAILED), or a verification found a backup that no longer restores as it
 * was made (CORRUPT). A plan waiting for it must not proceed; a plan holding it must not cut over.
 *
 * @param planId   the plan the backup was made for, or null for a backup made on request or on schedule
 * @param backupId absent from events of earlier versions
 * @param status   FAILED or CORRUPT; absent from events of earlier versions, which mean FAILED
 * @param trigger  PLAN, MANUAL or SCHEDULED; absent from events of earlier versions
 */
public record BackupFailed(@JsonInclude(JsonInclude.Include.ALWAYS) String planId, String target, List<String> tables, String reason, String backupId,
                           String status, String trigger) {

    public static final String FAILED = "FAILED";
    public static final String CORRUPT = "CORRUPT";

    /** What events of the first version carried. */
    public BackupFailed(String planId, String target, List<String> tables, String reason) {
        this(planId, target, tables, reason, null, null, null);
    }

    public boolean corrupt() {
        return CORRUPT.equals(status);
    }
}
