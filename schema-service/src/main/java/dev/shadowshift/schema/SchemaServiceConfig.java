package dev.shadowshift.schema;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** schema-service's own settings, under {@code shadowshift.schema}. */
@ConfigMapping(prefix = "shadowshift.schema")
public interface SchemaServiceConfig {

    /** Deepest nesting of objects and arrays a submitted spec may have. */
    @WithDefault("200")
    int maxNestingDepth();

    /** Most YAML aliases to collections a submitted spec may use. */
    @WithDefault("100")
    int maxYamlAliases();

    /** Compatibility given to new subjects: BACKWARD, FORWARD, FULL or NONE. */
    @WithDefault("BACKWARD")
    String defaultCompatibility();

    /**
     * Which component schemas become tables when a submission names no objects: ALL_OBJECTS (every object schema
     * with properties) or OBJECTS_WITH_ID (only those with an id property).
     */
    @WithDefault("ALL_OBJECTS")
    dev.shadowshift.schema.compile.SchemaCompiler.TableRule defaultTableRule();

    @WithDefault("30s")
    Duration catalogStatementTimeout();

    @WithDefault("30s")
    Duration publishTimeout();
}
