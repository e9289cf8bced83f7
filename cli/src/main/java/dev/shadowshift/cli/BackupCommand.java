package dev.shadowshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowshift.pg.cli.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./shadowshift backup}: backup-worker's REST API from the command line. Nothing is decided here: each verb is
 * one call to the running worker (the same endpoints a dashboard or a script uses) and prints its answer.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Make, list, verify and restore backups through the running backup-worker.",
        subcommands = {BackupCommand.Create.class, BackupCommand.ListBackups.class, BackupCommand.Show.class, BackupCommand.Verify.class,
                BackupCommand.Restore.class, BackupCommand.Pin.class, BackupCommand.Unpin.class},
        footer = {"", "The worker is found by --url, else SHADOWSHIFT_BACKUP_URL, else ./shadowshift status, else " + BackupClient.DEFAULT_URL + ".",
                "A token (role operator) is sent as Authorization: Bearer from --token-file or SHADOWSHIFT_TOKEN.",
                "Exit codes: 0 done, 1 failed (or the backup is CORRUPT or FAILED), 2 invalid input."})
public final class BackupCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("shadowshift backup: say create, list, show, verify, restore, pin or unpin");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Shadowshift.INVALID_INPUT;
    }

    /** This verb on its own, as the CLI runs it (for tests that have the worker but not the rest of the CLI). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return Shadowshift.configured(new CommandLine(new BackupCommand()), out, err);
    }

    /** Where the worker is and who is asking; every verb has them. */
    static final class Service {
        @Option(names = "--url", paramLabel = "URL", description = "backup-worker's base URL (default: see below)")
        String url;
        @Option(names = "--token-file", paramLabel = "FILE", description = "a file holding the bearer token (else SHADOWSHIFT_TOKEN)")
        Path tokenFile;
    }

    /** One verb: its client, its writers, and a {@link BackupClient.Failure} printed as one line with its exit code. */
    abstract static class Verb implements Callable<Integer> {
        @Mixin
        Service service;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public final Integer call() throws Exception {
            try {
                return run(BackupClient.of(service.url, service.tokenFile), spec.commandLine().getOut());
            } catch (BackupClient.Failure f) {
                spec.commandLine().getErr().println("shadowshift: " + f.getMessage());
                return f.exitCode;
            }
        }

        abstract int run(BackupClient client, PrintWriter out) throws Exception;

        PrintWriter err() {
            return spec.commandLine().getErr();
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Ask for a backup now (pg_dump, then a verification restore into a scratch database). Without --table, "
                    + "the whole target database. Prints the backup's id; with --wait, follows it until VERIFIED, CORRUPT or FAILED.")
    static final class Create extends Verb {
        @Option(names = "--target", defaultValue = "main", paramLabel = "NAME", description = "the target database (default: main)")
        String target;
        @Option(names = "--table", split = ",", paramLabel = "SCHEMA.TABLE", description = "a table to back up; repeat or separate with commas")
        List<String> tables = new ArrayList<>();
        @Option(names = "--wait", description = "wait for the outcome, showing progress; exit 1 unless VERIFIED")
        boolean await;
        @Option(names = "--poll", defaultValue = "500ms", converter = Durations.class, paramLabel = "DURATION", hidden = true)
        Duration poll;

        @Override
        int run(BackupClient client, PrintWriter out) throws Exception {
            JsonNode started = client.post("/backups", BackupClient.createRequest(target, tables), Duration.ofSeconds(30));
            String id = started.path("id").asText();
            out.println("backup " + id + " " + started.path("status").asText() + " for target " + target + ": "
                    + (tables.isEmpty() ? "the whole database" : String.join(", ", tables)));
            if (!await) {
                out.println("follow it with ./shadowshift backup show " + id);
                return Shadowshift.OK;
            }
            JsonNode b = follow(client, id, poll);
            out.print(BackupOutput.detail(b));
            return "VERIFIED".equals(b.path("status").asText()) ? Shadowshift.OK : Shadowshift.FAILED;
        }

        /** Polls until the backup leaves RUNNING: the dump first, then the verification restore (its dump time tells them apart). */
        private JsonNode follow(BackupClient client, String id, Duration every) throws Exception {
            PrintStream err = new PrintStream(new WriterOutputStream(err()), true, StandardCharsets.UTF_8);
            ProgressBar bar = new ProgressBar(err, 2, System.console() != null);
            Instant start = Instant.now();
            while (true) {
                JsonNode b = client.get("/backups/" + encode(id));
                String status = b.path("status").asText();
                long seconds = Duration.between(start, Instant.now()).toSeconds();
                if (!"RUNNING".equals(status)) {
                    bar.show(2, status + " after " + seconds + " s");
                    bar.finish();
                    return b;
                }
                boolean verifying = b.hasNonNull("dumpSeconds");
                bar.show(verifying ? 1 : 0, verifying ? "verifying: restore into a scratch database, rows compared (" + seconds + " s)"
                        : "pg_dump running (" + seconds + " s)");
                Thread.sleep(every.toMillis());
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List backups, newest first: id, status, trigger, pin, size, age, tables.")
    static final class ListBackups extends Verb {
        @Option(names = "--target", paramLabel = "NAME", description = "only this target's")
        String target;
        @Option(names = "--status", paramLabel = "STATUS", description = "only RUNNING, VERIFIED, CORRUPT or FAILED ones")
        String status;
        @Option(names = "--limit", defaultValue = "100", paramLabel = "N", description = "at most N (default 100)")
        int limit;

        @Override
        int run(BackupClient client, PrintWriter out) throws Exception {
            StringBuilder query = new StringBuilder("?limit=").append(limit);
            if (target != null) {
                query.append("&target=").append(encode(target));
            }
            if (status != null) {
                query.append("&status=").append(encode(status));
            }
            JsonNode backups = client.get("/backups" + query);
            if (backups.isEmpty()) {
                out.println("no backups" + (target == null ? "" : " of target " + target) + (status == null ? "" : " that are " + status));
                return Shadowshift.OK;
            }
            out.print(BackupOutput.table(backups, Instant.now()));
            return Shadowshift.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One backup: status, archive, and each table's rows at dump time and restored.")
    static final class Show extends Verb {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        int run(BackupClient client, PrintWriter out) throws Exception {
            out.print(BackupOutput.detail(client.get("/backups/" + encode(id))));
            return Shadowshift.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Verify a kept backup again: checksum, table of contents, a restore into a scratch database and each table's "
                    + "rows compared with the count at dump time. Exit 1 when it is CORRUPT or the check could not run.")
    static final class Verify extends Verb {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        int run(BackupClient client, PrintWriter out) throws Exception {
            err().println("shadowshift | verifying backup " + id + " (a restore into a scratch database; this takes as long as one)");
            JsonNode b = client.post("/backups/" + encode(id) + "/verify", null, Duration.ofHours(6));
            out.print(BackupOutput.detail(b));
            return "VERIFIED".equals(b.path("status").asText()) ? Shadowshift.OK : Shadowshift.FAILED;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restore a VERIFIED backup into a new database on the target's server, which the worker creates; its name must match "
                    + "shadowshift.backup.restore.allowed-pattern (default restore_.*). "
                    + "A CORRUPT backup is refused.")
    static final class Restore extends Verb {
        @Parameters(paramLabel = "ID")
        String id;
        @Option(names = "--into", required = true, paramLabel = "DATABASE", description = "the new database to restore into, e.g. restore_orders; it must not exist")
        String database;

        @Override
        int run(BackupClient client, PrintWriter out) throws Exception {
            err().println("shadowshift | restoring backup " + id + " into database " + database);
            JsonNode r = client.post("/backups/" + encode(id) + "/restore", Map.of("database", database), Duration.ofHours(6));
            List<String> tables = new ArrayList<>();
            r.path("tables").forEach(t -> tables.add(t.asText()));
            out.println("restored backup " + id + " into database " + r.path("database").asText(database) + ": "
                    + (tables.isEmpty() ? "the whole database" : String.join(", ", tables)));
            if (r.path("foreignKeysLeftOut").asBoolean()) {
                out.println("foreign keys were left out: the tables they point to are not in this backup");
            }
            return Shadowshift.OK;
        }
    }

    @Command(name = "pin", mixinStandardHelpOptions = true, description = "Keep a backup whatever retention says, until it is unpinned.")
    static final class Pin extends Verb {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        int run(BackupClient client, PrintWriter out) throws Exception {
            return pinned(client, out, id, true);
        }
    }

    @Command(name = "unpin", mixinStandardHelpOptions = true,
            description = "Let retention decide about a backup again (a plan's pin stays until its rollback window closes).")
    static final class Unpin extends Verb {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        int run(BackupClient client, PrintWriter out) throws Exception {
            return pinned(client, out, id, false);
        }
    }

    private static int pinned(BackupClient client, PrintWriter out, String id, boolean pin) throws BackupClient.Failure {
        JsonNode b = client.post("/backups/" + encode(id) + (pin ? "/pin" : "/unpin"), null, Duration.ofSeconds(30));
        out.println("backup " + id + (pin ? " pinned" : " unpinned")
                + (b.hasNonNull("planPinnedUntil") ? "; its plan keeps it pinned until " + b.path("planPinnedUntil").asText() : ""));
        return Shadowshift.OK;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
