package dev.shadowshift.migration.shadow;

/** A preflight check failed before anything changed on the target; the report lists every check. */
public class PreflightFailed extends ShadowFailure {
    private final PreflightReport report;

    public PreflightFailed(String message, PreflightReport report) {
        super(message);
        this.report = report;
    }

    public PreflightReport report() {
        return report;
    }
}
