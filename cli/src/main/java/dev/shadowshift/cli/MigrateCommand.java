package dev.shadowshift.cli;

import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.migration.api.SqlPreview;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.flow.MigrationFlow;
import dev.shadowshift.migration.flow.PlanBusy;
import dev.shadowshift.migration.plan.PlanState;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.migration.support.SqlErrors;
import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.pg.TargetsConfig;
import dev.shadowshift.pg.cli.DatabaseUrl;
import dev.shadowshift.pg.dump.TableDump;
import dev.shadowshift.pg.dump.TableName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code ./shadowshift migrate}, in one JVM: the diff, then the migration worker's own flow (plan against the live
 * catalog, approval gate, backup gate, run with the worker's execution, engine and retry policy), in the foreground,
 * with a progress bar. Plans and checkpoints live in {@code --state-schema} of the target database, so an
 * interrupted run resumes when the same command runs again.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Apply the spec's changes with the migration engine, in the foreground: in-place steps under a short "
                + "lock_timeout, type changes and SET NOT NULL through a shadow table (capture, backfill, validation, atomic "
                + "cutover, rollback point kept), after a verified pg_dump backup of the tables it alters. Drops, narrowing type "
                + "changes and primary keys on live tables wait for --approve. No Kafka needed.",
                "An interrupted run (Ctrl-C, a crash, a lost connection) resumes when run again."},
        footer = {"", "Exit codes: 0 applied or nothing to do, 1 the migration failed (the message says which table serves), "
                + "2 invalid input, 3 changes wait for --approve."})
final class MigrateCommand implements Callable<Integer> {

    @Mixin
    SpecOptions spec;
    @Mixin
    DatabaseOptions db;
    @Option(names = {"--approve", "--approve-destructive"},
            description = "also apply what waits for approval: drops, narrowing type changes, primary keys on live tables")
    boolean approve;
    @Option(names = "--backup-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.shadowshift/backups",
            description = "where the verified pg_dump archive goes (default ~/.shadowshift/backups, as backup-worker's)")
    Path backupDir;
    @Option(names = "--no-backup", description = "skip the backup (the rollback point is still kept after each cutover)")
    boolean noBackup;
    @Option(names = "--state-schema", paramLabel = "S", defaultValue = "shadowshift",
            description = "plans and checkpoints live in this schema of the database (default shadowshift)")
    String stateSchema;
    @Option(names = "--lock-timeout", paramLabel = "DURATION", converter = Durations.class,
            description = "how long an in-place statement may wait for its lock (default 2s)")
    Duration lockTimeout;
    @Option(names = "--retries", paramLabel = "N",
            description = "retries of an in-place step whose lock is not granted in time, with jittered backoff (default 4)")
    Integer retries;
    @Option(names = {"--rollback-window", "--retention"}, paramLabel = "DURATION", converter = Durations.class,
            description = "how long a rebuilt table can be rolled back after its cutover (default 15m): the original is kept and "
                    + "the keys written since are logged, until a later run or a worker closes the window; 0s drops the original "
                    + "at once")
    Duration retention;
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec command;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        PrintStream err = new PrintStream(new WriterOutputStream(command.commandLine().getErr()), true, StandardCharsets.UTF_8);
        DatabaseUrl database;
        SchemaDiff.Report report;
        try {
            if (!SqlIdentifiers.fits(stateSchema) || stateSchema.indexOf('\0') >= 0 || stateSchema.startsWith("pg_")) {
                throw new CliException("--state-schema must be 1 to " + SqlIdentifiers.MAX_BYTES + " bytes, without NUL, not starting with pg_");
            }
            database = db.resolve(System.getenv());
            report = SchemaDiff.run(spec, database);
        } catch (CliException | IllegalArgumentException e) {
            err.println("shadowshift: " + e.getMessage());
            return Shadowshift.INVALID_INPUT;
        }
        logToFile(System.getProperty("shadowshift.log-file"));
        report.model().naming().forEach(n -> err.println("shadowshift | " + n.line()));
        TerminalPublisher terminal = new TerminalPublisher(err, System.console() != null);
        Map<String, String> settings = new HashMap<>();
        if (lockTimeout != null) {
            settings.put("shadowshift.migration.lock-timeout", lockTimeout.toString());
        }
        if (retries != null) {
            if (retries < 0 || retries > 100) {
                err.println("shadowshift: --retries must be between 0 and 100");
                return Shadowshift.INVALID_INPUT;
            }
            settings.put("shadowshift.migration.max-attempts", Integer.toString(retries + 1));
        }
        if (retention != null) {
            settings.put("shadowshift.migration.rollback-window", retention.toString());
        }
        MigrationEngine engine;
        try {
            engine = MigrationEngine.start(database, stateSchema, settings, terminal, err);
        } catch (RuntimeException e) {
            err.println("shadowshift: cannot prepare the state schema " + SqlIdentifiers.quote(stateSchema) + " in " + database + ": "
                    + e.getMessage());
            return Shadowshift.INVALID_INPUT;
        }
        try {
            // a plan an earlier, interrupted run left behind is finished first; the database changed, so diff again
            List<String> interrupted = engine.plans().resumable();
            if (!interrupted.isEmpty()) {
                err.println("shadowshift | " + interrupted.size() + " interrupted plan(s) from an earlier run: finishing them first");
                for (String id : interrupted) {
                    engine.runner().runToEnd(id);
                }
                report = SchemaDiff.run(spec, database);
            }
            if (report.changes().isEmpty()) {
                out.println("nothing to do: " + database + " schema " + SqlIdentifiers.quote(report.schema()) + " matches the spec");
                return Shadowshift.OK;
            }
            return migrate(out, err, engine, report);
        } catch (InvalidEventException e) {
            err.println("shadowshift: " + e.getMessage());
            return Shadowshift.INVALID_INPUT;
        } catch (PlanBusy e) {
            err.println("shadowshift: " + e.getMessage() + "; run this again once it has finished");
            return Shadowshift.FAILED;
        } catch (SQLException e) {
            err.println("shadowshift: the database failed: " + SqlErrors.describe(e) + "; run the same command again to resume where it stopped");
            return Shadowshift.FAILED;
        } finally {
            terminal.finish();
        }
    }

    private int migrate(PrintWriter out, PrintStream err, MigrationEngine engine, SchemaDiff.Report r) throws Exception {
        String changes = EventCodec.mapper().writeValueAsString(r.changes());
        String hash = sha256(r.db() + "\n" + r.schema() + "\n" + changes);
        // derived from the database, the schema and the changes: running the same migration again finds (and resumes) its plan
        String eventId = UUID.nameUUIDFromBytes(("cli-spec-changed:" + hash).getBytes(StandardCharsets.UTF_8)).toString();
        String subject = r.specFile().replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^[^A-Za-z0-9]+", "");
        SpecChanged payload = new SpecChanged(subject.isEmpty() ? "cli" : subject, 1, null, hash, TargetsConfig.DEFAULT_TARGET,
                r.schema(), "NONE", r.changes());
        MigrationFlow flow = engine.flow();
        StoredPlan plan = flow.accept(eventId, payload);
        // the same changes again after a plan for them ended without applying them: a new attempt, a new plan
        for (int attempt = 1; java.util.EnumSet.of(PlanState.FAILED, PlanState.CANCELLED, PlanState.ROLLED_BACK).contains(plan.state())
                && attempt < 1000; attempt++) {
            plan = flow.accept(eventId + "/" + attempt, payload);
        }
        while (true) {
            plan = engine.plans().find(plan.planId()).orElseThrow();
            switch (plan.state()) {
                case NOTHING_TO_DO -> {
                    out.println("nothing to do");
                    return Shadowshift.OK;
                }
                case AWAITING_APPROVAL -> {
                    if (!approve) {
                        return awaitingApproval(out, plan);
                    }
                    MigrationFlow.Result approved = flow.approve(plan);
                    if (!approved.accepted()) {
                        out.println(approved.reason());
                        return Shadowshift.UNSAFE_PENDING;
                    }
                    err.println("shadowshift | approved (--approve): " + plan.holdReason());
                }
                case AWAITING_BACKUP -> {
                    if (!backUp(err, engine, plan)) {
                        return Shadowshift.FAILED;
                    }
                }
                case READY, RUNNING -> {
                    engine.runner().runToEnd(plan.planId());
                    StoredPlan end = engine.plans().find(plan.planId()).orElseThrow();
                    if (end.state() == PlanState.COMPLETED) {
                        out.println("plan " + end.planId() + " completed: " + end.stepsDone() + " of " + end.stepsTotal() + " steps applied"
                                + (end.plan().pending().isEmpty() ? "" : "; not planned: "
                                + end.plan().pending().stream().map(c -> c.reason()).toList()));
                        return Shadowshift.OK;
                    }
                    out.println("plan " + end.planId() + " ended " + end.state() + (end.error() == null ? "" : ": " + end.error()));
                    return Shadowshift.FAILED;
                }
                case COMPLETED -> {
                    out.println("plan " + plan.planId() + " already completed");
                    return Shadowshift.OK;
                }
                default -> {
                    out.println("plan " + plan.planId() + " is " + plan.state() + (plan.error() == null ? "" : ": " + plan.error()));
                    return Shadowshift.FAILED;
                }
            }
        }
    }

    private int awaitingApproval(PrintWriter out, StoredPlan plan) {
        out.println("plan " + plan.planId() + " " + plan.holdReason() + "; nothing was changed:");
        for (PlanStep s : plan.plan().steps()) {
            if (s.path() == ChangePath.NEEDS_APPROVAL || plan.plan().steps().size() == 1) {
                // the statement is rendered here from the step's typed fields: migration-planned carries no SQL
                out.println("  " + s.kind() + " " + stepTarget(s) + " (" + s.lockLevel()
                        + (s.hazards() == null || s.hazards().isEmpty() ? "" : ", " + s.hazards().get(0)) + "): "
                        + SqlPreview.sql(plan.planId(), s).replace("\n", " "));
            }
        }
        plan.plan().pending().forEach(c -> out.println("  pending " + c.kind() + " " + c.target() + ": " + c.reason()));
        out.println("run again with --approve to apply them (a verified backup is taken first)");
        return Shadowshift.UNSAFE_PENDING;
    }

    private static String stepTarget(PlanStep s) {
        String where = s.table() == null ? "schema " + s.schema() : s.schema() + "." + s.table();
        return s.column() == null ? where : where + "." + s.column();
    }

    /** The backup gate, as backup-worker keeps it: a verified pg_dump archive of every table the plan alters. */
    private boolean backUp(PrintStream err, MigrationEngine engine, StoredPlan stored) throws SQLException {
        var plan = stored.plan();
        String backupId = "cli-" + plan.planId();
        String eventId = "cli-backup:" + plan.planId();
        if (noBackup) {
            err.println("shadowshift | no backup taken (--no-backup): a rollback point is still kept after each cutover");
            engine.flow().backupCompleted(eventId, new MigrationFlow.Backup(plan.planId(), "none: --no-backup given", plan.target(),
                    plan.backupTables(), true, null));
            return true;
        }
        List<TableName> tables = plan.backupTables().stream().map(t -> TableName.parse(t, plan.schema())).toList();
        err.println("shadowshift | backing up " + plan.backupTables() + " with pg_dump into " + backupDir.toAbsolutePath());
        TableDump.Outcome outcome = null;
        String failure;
        try {
            outcome = TableDump.make(new TableDump.Tools("pg_dump", "pg_restore", Duration.ofHours(6)),
                    engine.targets().endpoint(plan.target()), tables, backupDir, backupId);
            failure = outcome.verified() ? null : outcome.reason();
        } catch (IOException e) {
            failure = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        if (failure != null) {
            err.println("shadowshift: the backup failed: " + failure);
            err.println("shadowshift: nothing was changed; fix the backup (pg_dump and pg_restore on PATH, at least the "
                    + "server's major version) or run with --no-backup");
            engine.flow().backupFailed(eventId, plan.planId(), failure);
            return false;
        }
        err.println("shadowshift | backup verified: " + outcome.file() + " (" + outcome.sizeBytes() + " bytes, "
                + outcome.archiveEntries() + " archive entries, sha256 " + outcome.sha256() + ")");
        engine.flow().backupCompleted(eventId, new MigrationFlow.Backup(plan.planId(), backupId, plan.target(), plan.backupTables(),
                true, outcome.file().toString()));
        return true;
    }

    /**
     * The engine logs what the worker would log; under the launcher that goes to a file, so that the terminal shows
     * the progress bar and the outcome, not log lines.
     */
    private static void logToFile(String file) {
        if (file == null || file.isBlank()) {
            return;
        }
        java.util.logging.Logger root = java.util.logging.LogManager.getLogManager().getLogger("");
        for (java.util.logging.Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        root.setLevel(java.util.logging.Level.INFO);
        try {
            Path path = Path.of(file).toAbsolutePath();
            java.nio.file.Files.createDirectories(path.getParent());
            java.util.logging.FileHandler handler = new java.util.logging.FileHandler(path.toString(), true);
            handler.setFormatter(new java.util.logging.SimpleFormatter());
            root.addHandler(handler);
        } catch (IOException e) {
            System.err.println("shadowshift: cannot write the log " + file + " (" + e.getMessage() + "); logging nothing");
        }
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
