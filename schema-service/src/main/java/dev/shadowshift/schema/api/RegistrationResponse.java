package dev.shadowshift.schema.api;

import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.schema.compile.NameDecision;
import dev.shadowshift.schema.registry.Registration;
import dev.shadowshift.schema.registry.StoredVersion;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The answer to POST /subjects/{subject}/versions.
 *
 * @param created      true when this submission made a new version (HTTP 201), false when it repeated the latest (200)
 * @param published    true when Kafka acknowledged the version's spec-changed event
 * @param changeCounts number of changes by kind
 * @param naming       component schemas the compiler skipped (collection envelopes) or renamed (name collisions)
 */
public record RegistrationResponse(
        String subject,
        int version,
        Integer previousVersion,
        boolean created,
        String contentHash,
        String target,
        String schema,
        List<String> objects,
        String compatibility,
        String eventId,
        boolean published,
        int tables,
        int columns,
        Map<String, Integer> changeCounts,
        List<SchemaChange> changes,
        List<String> warnings,
        List<NameDecision> naming) {

    static RegistrationResponse of(Registration r) {
        StoredVersion v = r.version();
        return new RegistrationResponse(v.subject(), v.version(), v.previousVersion(), r.created(), v.contentHash(),
                v.target(), v.schema(), v.objects(), v.compatibility(), v.eventId(), r.published(),
                v.model().tables().size(), v.model().columnCount(), counts(v.changes()), v.changes(), r.warnings(),
                v.model().naming());
    }

    static Map<String, Integer> counts(List<SchemaChange> changes) {
        Map<String, Integer> counts = new TreeMap<>();
        changes.forEach(c -> counts.merge(c.kind().name(), 1, Integer::sum));
        return counts;
    }
}
