package dev.shadowshift.cli;

import dev.shadowshift.contracts.changes.SchemaChange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;

/** The evolution as a psql script: the IN_PLACE statements to run, the rest as comments for the migration engine. */
@Command(name = "generate-evolution", mixinStandardHelpOptions = true,
        description = "Print the evolution SQL for psql (autocommit: CONCURRENTLY refuses a transaction block): the IN_PLACE "
                + "statements, then the pending changes as comments. Nothing is changed.",
        footer = {"", "Exit codes: 0 nothing pending, 2 invalid input, 3 changes that are not IN_PLACE."})
final class GenerateEvolutionCommand extends SpecCommand {

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "2s", converter = Durations.class,
            description = "the script's SET lock_timeout (default 2s)")
    Duration lockTimeout;

    @Override
    void print(PrintWriter out, SchemaDiff.Report r) {
        out.println(r.header("generate-evolution"));
        if (!r.inPlace().isEmpty()) {
            out.println("-- run with psql in autocommit mode: CREATE INDEX CONCURRENTLY refuses a transaction block");
            out.println("SET lock_timeout = '" + lockTimeout.toMillis() + "ms';");
        }
        for (SchemaChange c : r.inPlace()) {
            out.println();
            out.println(SchemaDiff.label(c));
            SchemaDiff.printStatement(out, c);
        }
        if (!r.pending().isEmpty()) {
            out.println();
            out.println("-- PENDING: " + r.pending().size() + " changes are not safe to run here; ./shadowshift migrate (or "
                    + "migration-worker) applies them through a shadow table (SHADOW_TABLE) or once approved (NEEDS_APPROVAL):");
            for (SchemaChange c : r.pending()) {
                out.println(SchemaDiff.label(c) + ", " + c.path());
                SchemaDiff.printStatement(out, c);
            }
        }
        if (r.changes().isEmpty()) {
            out.println("-- nothing to do: the database matches the spec");
        }
    }
}
