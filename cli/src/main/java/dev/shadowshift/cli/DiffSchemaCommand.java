package dev.shadowshift.cli;

import dev.shadowshift.contracts.changes.SchemaChange;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** What the spec changes in the database, classified by the worker's operations; nothing is changed. */
@Command(name = "diff-schema", mixinStandardHelpOptions = true,
        description = "Show what the spec changes in the database, classified (hazards, lock, path) and rendered as the worker "
                + "would run it. Nothing is changed.",
        footer = {"", "Exit codes: 0 nothing to do or only IN_PLACE changes, 2 invalid input, 3 changes that are not IN_PLACE."})
final class DiffSchemaCommand extends SpecCommand {

    @Override
    void print(PrintWriter out, SchemaDiff.Report r) {
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
    }
}
