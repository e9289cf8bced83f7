package dev.shadowshift.migration.shadow;

import java.util.List;

/** What one table's rebuild would do, computed read-only: the preflight results and the statements. */
public record ShadowDryRun(String table, PreflightReport preflight, List<String> sql) {
}
