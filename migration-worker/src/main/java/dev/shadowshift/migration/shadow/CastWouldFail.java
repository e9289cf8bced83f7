package dev.shadowshift.migration.shadow;

/** The dry run of a cast over all rows found rows that would not convert (or would be NULL under NOT NULL). */
public class CastWouldFail extends PreflightFailed {
    public CastWouldFail(String message, PreflightReport report) {
        super(message, report);
    }
}
