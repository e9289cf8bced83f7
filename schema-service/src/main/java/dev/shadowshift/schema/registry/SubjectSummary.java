package dev.shadowshift.schema.registry;

import java.time.OffsetDateTime;

public record SubjectSummary(String name, String compatibility, OffsetDateTime createdAt, Integer latestVersion) {
}
