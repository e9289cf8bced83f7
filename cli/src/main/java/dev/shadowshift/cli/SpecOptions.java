package dev.shadowshift.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** What to compare: the spec, the schema it goes into, which of its schemas become tables. */
final class SpecOptions {

    @Option(names = "--spec", required = true, paramLabel = "FILE", description = "OpenAPI 3.0/3.1 or Swagger 2.0, JSON or YAML")
    Path spec;

    @Option(names = "--schema", paramLabel = "S", description = "target schema (default: the first word of the spec's title, e.g. stripe)")
    String schema;

    @Option(names = "--objects", split = ",", paramLabel = "a,b", description = "only these component schemas become tables")
    List<String> objects;

    @Option(names = "--rule", paramLabel = "R", defaultValue = "all-objects",
            description = "all-objects (default) or objects-with-id, when --objects is not given")
    String rule;

    @Option(names = "--with-indexes", description = "also the recommended indexes (CREATE INDEX CONCURRENTLY)")
    boolean withIndexes;

    @Option(names = "--strict-names", description = "refuse the spec when two schemas map to one table name, instead of renaming one "
            + "(collection envelopes are skipped either way)")
    boolean strictNames;

    @Option(names = "--ignore-drops", description = "do not report tables or columns the spec does not have")
    boolean ignoreDrops;
}
