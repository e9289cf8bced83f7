package dev.shadowshift.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** Where a running {@code ./shadowshift up} is: the broker, PostgreSQL, the services and the dashboard. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print where the running ./shadowshift up is: Kafka, PostgreSQL (without password), each service and the "
                + "dashboard. With --format=env, one KEY=value a line, for eval or a .env file.",
        footer = {"", "Exit codes: 0 it runs, 1 nothing runs, 2 invalid input."})
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--format", paramLabel = "text|env", defaultValue = "text", description = "text (default) or env")
    String format;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.equals("text") && !f.equals("env")) {
            command.commandLine().getErr().println("shadowshift: --format must be text or env, not '" + format + "'");
            return Shadowshift.INVALID_INPUT;
        }
        Optional<Map<String, String>> running;
        try {
            running = RunningStack.facts();
        } catch (IOException e) {
            command.commandLine().getErr().println("shadowshift: cannot read " + RunningStack.file() + ": " + e.getMessage());
            return Shadowshift.FAILED;
        }
        if (running.isEmpty()) {
            return notRunning();
        }
        Map<String, String> facts = new LinkedHashMap<>(running.get());
        String pid = facts.remove(RunningStack.PID);
        if (f.equals("env")) {
            facts.forEach((k, v) -> out.println(k + "=" + v));
        } else {
            out.println("./shadowshift up is running (pid " + pid + ")");
            facts.forEach((k, v) -> out.printf("  %-30s %s%n", k, v));
        }
        return Shadowshift.OK;
    }

    private int notRunning() {
        command.commandLine().getErr().println("shadowshift: ./shadowshift up is not running (start it with ./shadowshift up)");
        return Shadowshift.FAILED;
    }
}
