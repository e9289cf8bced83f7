package dev.shadowshift.cli;

import dev.shadowshift.localstack.LocalStackMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** The whole system locally, on embedded (or the user's) Kafka and PostgreSQL, until Ctrl-C or SIGTERM. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start Kafka, PostgreSQL and the four services locally (embedded unless SHADOWSHIFT_KAFKA_BOOTSTRAP_SERVERS / "
                + "SHADOWSHIFT_PG_URL name yours), run the bundled example evolution, and stay up until Ctrl-C or SIGTERM, "
                + "which stop everything it started.",
                "While it runs, ./shadowshift status --format=env prints where everything is."})
final class UpCommand implements Callable<Integer> {

    @Option(names = "--no-example", description = "do not run the bundled example evolution")
    boolean noExample;

    @Override
    public Integer call() throws Exception {
        return LocalStackMain.up(Shadowshift.home(), !noExample);
    }
}
