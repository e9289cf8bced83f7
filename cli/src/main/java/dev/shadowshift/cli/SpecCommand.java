package dev.shadowshift.cli;

import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What the verbs that compare a spec with a database share: the spec and database flags, the format, the diff. */
abstract class SpecCommand implements java.util.concurrent.Callable<Integer> {

    @Mixin
    SpecOptions spec;
    @Mixin
    DatabaseOptions db;
    @Option(names = "--format", paramLabel = "sql|json", defaultValue = "sql", description = "output format (default sql)")
    String format;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    /** The diff as JSON, or as the verb prints it; input it cannot work with exits 2 with the problem on stderr. */
    @Override
    public Integer call() {
        Optional<SchemaDiff.Report> report = report();
        if (report.isEmpty()) {
            return Shadowshift.INVALID_INPUT;
        }
        if (format.equalsIgnoreCase("json")) {
            SchemaDiff.printJson(command.commandLine().getOut(), report.get(), java.util.Map.of());
        } else {
            print(command.commandLine().getOut(), report.get());
        }
        return report.get().exitCode();
    }

    /** The verb's own text output. */
    abstract void print(PrintWriter out, SchemaDiff.Report r);

    private Optional<SchemaDiff.Report> report() {
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
