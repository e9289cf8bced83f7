package dev.shadowshift.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * {@code ./shadowshift}: one picocli command per verb, each a class of its own (adding a verb is adding one class
 * and naming it below). {@code --help} on any of them prints its usage and exits 0 with nothing else done; an unknown
 * flag exits 2 with a message.
 */
@Command(name = "shadowshift", mixinStandardHelpOptions = true, version = "shadowshift 0.1.0",
        description = "Zero-downtime PostgreSQL schema evolution from OpenAPI specs.",
        subcommands = {UpCommand.class, StatusCommand.class, DiffSchemaCommand.class, GenerateEvolutionCommand.class,
                MigrateCommand.class, TokenCommand.class, BackupCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 done (or nothing to do), 1 failed, 2 invalid input, 3 unsafe changes pending."})
public final class Shadowshift implements java.util.concurrent.Callable<Integer> {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int INVALID_INPUT = 2;
    public static final int UNSAFE_PENDING = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a verb: the usage, on stderr, as for any other invalid input. */
    @Override
    public Integer call() {
        spec.commandLine().getErr().println("shadowshift: no command given");
        spec.commandLine().usage(spec.commandLine().getErr());
        return INVALID_INPUT;
    }

    /** Where the checkout is: the launcher says so; its .shadowshift folder holds logs and the running stack's facts. */
    static Path home() {
        return RunningStack.home();
    }

    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return configured(new CommandLine(new Shadowshift()), out, err);
    }

    /** Every command line, the whole CLI's or one verb's alone: its writers, and an unexpected error as one line, exit 1. */
    static CommandLine configured(CommandLine cl, PrintWriter out, PrintWriter err) {
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("shadowshift: " + e.getMessage());
            return FAILED;
        });
        return cl;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
