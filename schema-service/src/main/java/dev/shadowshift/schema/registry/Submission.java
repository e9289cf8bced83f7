package dev.shadowshift.schema.registry;

import java.util.List;

/**
 * A spec to register, however it arrived.
 *
 * @param target        null means the default target
 * @param schema        null means one named after the subject
 * @param objects       null or empty means the default selection rule
 * @param sourceEventId the spec-submitted event's id when it came over Kafka, else null
 * @param withIndexes   also diff the recommended indexes (CREATE INDEX CONCURRENTLY); off unless asked
 * @param strictNames   refuse two schemas on one table name instead of renaming one; a check only, nothing stored: a
 *                      spec that passes it compiles to the same tables without it
 */
public record Submission(String subject, byte[] spec, String target, String schema, List<String> objects, String sourceEventId,
                         boolean withIndexes, boolean strictNames) {

    public Submission(String subject, byte[] spec, String target, String schema, List<String> objects, String sourceEventId) {
        this(subject, spec, target, schema, objects, sourceEventId, false, false);
    }
}
