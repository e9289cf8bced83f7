package dev.shadowshift.contracts.events;

import java.util.List;

/**
 * An upstream system publishes its OpenAPI spec.
 *
 * @param subject the registry subject, for example {@code stripe}
 * @param spec    the document itself, JSON or YAML
 * @param target  the configured target database to evolve; null means the default target
 * @param schema  the PostgreSQL schema for the tables; null means one named after the subject
 * @param objects the schema names to turn into tables; null or empty means the default selection rule
 * @param strictNames true refuses the spec when two schemas map to one table name, instead of renaming one; null
 *                    or false renames
 */
public record SpecSubmitted(String subject, String spec, String target, String schema, List<String> objects,
                            Boolean strictNames) {

    public SpecSubmitted(String subject, String spec, String target, String schema, List<String> objects) {
        this(subject, spec, target, schema, objects, null);
    }
}
