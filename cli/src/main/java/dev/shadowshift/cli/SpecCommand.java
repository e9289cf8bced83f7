package dev.shadowshift.cli;

import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What the verbs that compare a spec with a database share: the spec and database flags, the format, the diff. */
abstract class SpecCommand {

    @Mixin
    SpecOptions spec;
    @Mixin
    DatabaseOptions db;
    @Option(names = "--format", paramLabel = "sql|json", defaultValue = "sql", description = "output format (default sql)")
    String format;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    PrintWriter out() {
        return command.commandLine().getOut();
    }

    boolean json() {
        return format.equalsIgnoreCase("json");
    }

    /** The diff, or empty after the problem with the input was said on stderr (the verb then exits 2). */
    Optional<SchemaDiff.Report> report() {
        try {
            if (!Set.of("sql", "json").contains(format.toLowerCase(Locale.ROOT))) {
                throw new CliException("--format must be sql or json, not '" + format + "'");
            }
            return Optional.of(SchemaDiff.run(spec, db.resolve(System.getenv())));
        } catch (CliException | IllegalArgumentException e) {
            command.commandLine().getErr().println("shadowshift: " + e.getMessage());
            return Optional.empty();
        }
    }
}
