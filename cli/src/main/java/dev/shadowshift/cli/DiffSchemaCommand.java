package dev.shadowshift.cli;

import dev.shadowshift.contracts.changes.SchemaChange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** What the spec changes in the database, classified by the worker's operations; nothing is changed. */
@Command(name = "diff-schema", mixinStandardHelpOptions = true,
        description = "Show what the spec changes in the database, classified (hazards, lock, path) and rendered as the worker "
                + "would run it. Nothing is changed.",
        footer = {"", "Exit codes: 0 nothing to do or only IN_PLACE changes, 2 invalid input, 3 changes that are not IN_PLACE."})
final class DiffSchemaCommand implements Callable<Integer> {

    @Mixin
    SpecOptions spec;
    @Mixin
    DatabaseOptions db;
    @Option(names = "--format", paramLabel = "sql|json", defaultValue = "sql", description = "output format (default sql)")
    String format;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        SchemaDiff.Report r;
        try {
            String f = format.toLowerCase(Locale.ROOT);
            if (!f.equals("sql") && !f.equals("json")) {
                throw new CliException("--format must be sql or json, not '" + format + "'");
            }
            r = SchemaDiff.run(spec, db.resolve(System.getenv()));
        } catch (CliException | IllegalArgumentException e) {
            command.commandLine().getErr().println("shadowshift: " + e.getMessage());
            return Shadowshift.INVALID_INPUT;
        }
        if (format.equalsIgnoreCase("json")) {
            SchemaDiff.printJson(out, r, Map.of());
            return r.exitCode();
        }
        out.println(r.header("diff-schema"));
        for (SchemaChange c : r.changes()) {
            out.println();
            out.println(SchemaDiff.label(c) + ", path " + c.path());
            if (c.reason() != null) {
                out.println(SchemaDiff.comment("  " + c.reason()));
            }
            SchemaDiff.printStatement(out, c);
        }
        if (r.changes().isEmpty()) {
            out.println("-- nothing to do: the database matches the spec");
        }
        return r.exitCode();
    }
}
