package dev.shadowshift.migration.cli;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.execution.Backoff;
import dev.shadowshift.migration.execution.MigrationConfig;
import dev.shadowshift.migration.execution.PlanExecution;
import dev.shadowshift.migration.execution.SqlErrors;
import dev.shadowshift.migration.intake.RowEstimates;
import dev.shadowshift.migration.plan.MigrationPlanner;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowStore;
import dev.shadowshift.migration.shadow.Throttle;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.pg.TargetsConfig;
import dev.shadowshift.pg.cli.CliFlags;
import dev.shadowshift.pg.cli.DatabaseUrl;
import dev.shadowshift.pg.dump.TableDump;
import dev.shadowshift.pg.dump.TableName;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ./shadowshift migrate} for users without Kafka: the migration worker's own planner and engine (in-place
 * steps, shadow-table rebuilds with capture, backfill, validation and cutover, the backup gate, approval of
 * destructive steps), run synchronously in this process, with a progress bar instead of migration-progress events.
 *
 * <p>It takes the spec-changed event {@code ./shadowshift diff-schema --format=event} prints. Plans and checkpoints
 * are kept in a schema of the target database ({@code --state-schema}, default {@code shadowshift}), so an
 * interrupted run (Ctrl-C, a crash, a lost connection) is resumed by running the same command again.
 *
 * <p>Exit codes: 0 applied (or nothing to do), 1 the migration failed (the original tables serve unchanged, or the
 * rebuilt one if the failure came after its cutover; the message says which), 2 invalid input, 3 destructive steps
 * wait for {@code --approve-destructive}, 10 an interrupted earlier plan was finished first: diff again.
 */
public final class MigrateCli {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int INVALID_INPUT = 2;
    public static final int NEEDS_APPROVAL = 3;
    public static final int RESUMED_EARLIER_PLAN = 10;

    private static final Set<String> VALUED = Set.of("event", "existing-db", "state-schema", "backup-dir", "lock-timeout", "retention",
            "log-file");
    private static final Set<String> SWITCHES = Set.of("approve-destructive", "no-backup");

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final boolean terminal;

    public MigrateCli(PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        logTo(java.util.Arrays.stream(args).filter(a -> a.startsWith("--log-file=")).map(a -> a.substring("--log-file=".length()))
                .findFirst().orElse(null));
        int code = new MigrateCli(System.out, System.err, System.getenv(), System.console() != null).run(args);
        System.out.flush();
        System.exit(code);
    }

    record Options(Path event, DatabaseUrl db, String stateSchema, Path backupDir, boolean approveDestructive,
                   boolean noBackup, Map<String, String> config) {

        static Options parse(String[] args, Map<String, String> env) {
            Map<String, String> flags = CliFlags.parse(args, 0, VALUED, SWITCHES);
            if (!flags.containsKey("event")) {
                throw new IllegalArgumentException("--event=FILE is missing (the output of diff-schema --format=event)");
            }
            DatabaseUrl db = DatabaseUrl.parse(flags.getOrDefault("existing-db", env.get("DATABASE_URL")));
            String stateSchema = flags.getOrDefault("state-schema", "shadowshift");
            if (!SqlIdentifiers.fits(stateSchema) || stateSchema.indexOf('\0') >= 0 || stateSchema.startsWith("pg_")) {
                throw new IllegalArgumentException("--state-schema must be 1 to " + SqlIdentifiers.MAX_BYTES
                        + " bytes, without NUL, not starting with pg_");
            }
            Map<String, String> config = new HashMap<>();
            duration(flags, "lock-timeout").ifPresent(d -> config.put("shadowshift.migration.lock-timeout", d));
            duration(flags, "retention").ifPresent(d -> config.put("shadowshift.migration.shadow.retention", d));
            return new Options(Path.of(flags.get("event")), db, stateSchema,
                    flags.containsKey("backup-dir") ? Path.of(flags.get("backup-dir"))
                            : Path.of(System.getProperty("user.home"), ".shadowshift", "backups"), flags.containsKey("approve-destructive"),
                    flags.containsKey("no-backup"), config);
        }

        private static Optional<String> duration(Map<String, String> flags, String name) {
            String v = flags.get(name);
            if (v == null) {
                return Optional.empty();
            }
            try {
                String iso = v.startsWith("P") || v.startsWith("p") ? v : "PT" + v.toUpperCase(java.util.Locale.ROOT);
                if (Duration.parse(iso).isNegative()) {
                    throw new DateTimeParseException("negative", v, 0);
                }
                return Optional.of(iso);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--" + name + " must be a duration like 2s, 500ms or P1D, not '" + v + "'");
            }
        }
    }

    public int run(String[] args) {
        Options o;
        SpecChanged spec;
        CloudEvent event;
        try {
            o = Options.parse(args, env);
            event = EventSchemas.parse(read(o.event()), EventType.SPEC_CHANGED);
            spec = event.dataAs(SpecChanged.class);
        } catch (IllegalArgumentException | InvalidEventException e) {
            err.println("shadowshift: " + e.getMessage());
            return INVALID_INPUT;
        }
        Engine engine;
        try {
            engine = Engine.start(o, new TerminalPublisher(err, terminal));
        } catch (SQLException e) {
            err.println("shadowshift: cannot prepare the state schema " + SqlIdentifiers.quote(o.stateSchema()) + " in " + o.db() + ": "
                    + SqlErrors.describe(e));
            return INVALID_INPUT;
        } catch (RuntimeException e) {
            err.println("shadowshift: cannot prepare the state schema " + SqlIdentifiers.quote(o.stateSchema()) + " in " + o.db() + ": "
                    + e.getMessage());
            return INVALID_INPUT;
        }
        try {
            return migrate(o, engine, event, spec);
        } catch (SQLException e) {
            err.println("shadowshift: the database failed: " + SqlErrors.describe(e)
                    + "; run the same command again to resume where it stopped");
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        } finally {
            engine.publisher().finish();
        }
    }

    private int migrate(Options o, Engine engine, CloudEvent event, SpecChanged spec) throws SQLException, InterruptedException {
        String planId = MigrationPlanner.planIdFor(event.id());
        // objects of plans that failed or were cancelled before their cleanup finished
        engine.shadow().sweepLeftovers();
        List<String> interrupted = engine.plans().resumable().stream().filter(id -> !id.equals(planId)).toList();
        if (!interrupted.isEmpty()) {
            err.println("shadowshift | " + interrupted.size() + " interrupted plan(s) from an earlier run: finishing them first");
            int worst = OK;
            for (String id : interrupted) {
                worst = Math.max(worst, runToEnd(engine, id));
            }
            return worst == OK ? RESUMED_EARLIER_PLAN : worst;
        }
        if (spec.changes().isEmpty()) {
            out.println("nothing to do: " + o.db() + " schema " + SqlIdentifiers.quote(spec.schema()) + " matches the spec");
            return OK;
        }
        Optional<StoredPlan> stored = engine.plans().find(planId);
        if (stored.isEmpty()) {
            Map<String, Long> rows = new RowEstimates(engine.targets()).read(spec.target(), spec.schema(), MigrationPlanner.touchedTables(spec));
            MigrationPlanner.Planned planned = MigrationPlanner.planWithRebuilds(planId, spec, rows);
            try (Connection c = engine.plans().connection()) {
                engine.plans().insert(c, event.id(), planned.plan(), planned.rebuilds());
            }
            stored = engine.plans().find(planId);
        } else {
            err.println("shadowshift | plan " + planId + " exists from an earlier run (" + stored.get().status() + "): continuing it");
        }
        engine.publisher().planned(stored.orElseThrow().plan());
        while (true) {
            StoredPlan plan = engine.plans().find(planId).orElseThrow();
            switch (plan.status()) {
                case "NOTHING_TO_DO" -> {
                    out.println("nothing to do");
                    return OK;
                }
                case "AWAITING_APPROVAL" -> {
                    if (!o.approveDestructive()) {
                        return awaitingApproval(plan.plan());
                    }
                    engine.plans().approve(planId);
                    err.println("shadowshift | destructive steps approved (--approve-destructive)");
                }
                case "AWAITING_BACKUP" -> {
                    if (!backUp(o, engine, plan.plan())) {
                        return FAILED;
                    }
                }
                case "READY", "RUNNING" -> {
                    return runToEnd(engine, planId);
                }
                case "COMPLETED" -> {
                    out.println("plan " + planId + " already completed");
                    return OK;
                }
                default -> {
                    out.println("plan " + planId + " is " + plan.status() + (plan.error() == null ? "" : ": " + plan.error()));
                    return FAILED;
                }
            }
        }
    }

    private int awaitingApproval(MigrationPlanned plan) {
        out.println("plan " + plan.planId() + " has destructive steps; nothing was changed:");
        for (PlanStep s : plan.steps()) {
            if (MigrationPlanner.DESTRUCTIVE_KINDS.contains(s.kind())) {
                out.println("  " + s.kind() + " " + s.table() + ": " + s.sql());
            }
        }
        out.println("run again with --approve-destructive to apply them (a verified backup is taken first)");
        return NEEDS_APPROVAL;
    }

    /** The backup gate, as backup-worker keeps it: a verified pg_dump archive of every table the plan alters. */
    private boolean backUp(Options o, Engine engine, MigrationPlanned plan) throws SQLException, InterruptedException {
        String backupId;
        if (o.noBackup()) {
            backupId = "none: --no-backup given";
            err.println("shadowshift | no backup taken (--no-backup): a rollback point is still kept after each cutover");
        } else {
            List<TableName> tables = plan.backupTables().stream().map(t -> TableName.parse(t, plan.schema())).toList();
            backupId = "cli-" + plan.planId();
            err.println("shadowshift | backing up " + plan.backupTables() + " with pg_dump into " + o.backupDir().toAbsolutePath());
            TableDump.Outcome outcome;
            try {
                outcome = TableDump.make(new TableDump.Tools("pg_dump", "pg_restore", Duration.ofHours(6)),
                        engine.targets().endpoint(plan.target()), tables, o.backupDir(), backupId);
            } catch (IOException e) {
                outcome = null;
                err.println("shadowshift: the backup failed: " + e.getMessage());
            }
            if (outcome == null || !outcome.verified()) {
                if (outcome != null) {
                    err.println("shadowshift: the backup failed: " + outcome.reason());
                }
                err.println("shadowshift: nothing was changed; fix the backup (pg_dump and pg_restore on PATH, at least the "
                        + "server's major version) or run with --no-backup");
                return false;
            }
            err.println("shadowshift | backup verified: " + outcome.file() + " (" + outcome.sizeBytes() + " bytes, "
                    + outcome.archiveEntries() + " archive entries, sha256 " + outcome.sha256() + ")");
        }
        try (Connection c = engine.plans().connection()) {
            engine.plans().markBackedUp(c, plan.planId(), backupId);
        }
        return true;
    }

    /**
     * The worker's runner loop, in the foreground: a transient failure is retried with the same jittered backoff
     * and budget; anything else ends the plan FAILED with its objects removed.
     */
    private int runToEnd(Engine engine, String planId) throws SQLException, InterruptedException {
        MigrationConfig config = engine.config();
        long firstFailure = 0;
        for (int attempt = 1; ; attempt++) {
            try {
                engine.execution().run(planId);
                break;
            } catch (IllegalStateException busy) {
                // another process migrates one of the tables (the advisory lock): wait for it
                err.println("shadowshift | " + busy.getMessage() + "; waiting 5s");
                Thread.sleep(5000);
            } catch (SQLException e) {
                firstFailure = firstFailure == 0 ? System.nanoTime() : firstFailure;
                boolean budgetLeft = attempt < config.transientMaxAttempts()
                        && System.nanoTime() - firstFailure < config.transientMaxElapsed().toNanos();
                if (!SqlErrors.isTransient(e) || !budgetLeft) {
                    String reason = (SqlErrors.isTransient(e) ? "gave up after " + attempt + " attempts; last: " : "failed: ")
                            + SqlErrors.describe(e);
                    engine.execution().giveUp(planId, reason);
                    break;
                }
                Duration wait = Backoff.delay(attempt, config.backoffInitial(), config.backoffMax());
                err.println("shadowshift | interrupted by " + SqlErrors.describe(e) + "; retrying in " + wait.toMillis() + "ms");
                Thread.sleep(wait.toMillis());
            }
        }
        StoredPlan end = engine.plans().find(planId).orElseThrow();
        engine.publisher().finish();
        if ("COMPLETED".equals(end.status())) {
            out.println("plan " + planId + " completed: " + end.stepsDone() + " of " + end.stepsTotal() + " steps applied");
            return OK;
        }
        out.println("plan " + planId + " ended " + end.status() + (end.error() == null ? "" : ": " + end.error()));
        return FAILED;
    }

    /**
     * The engine logs what the worker would log; here that goes to a file (or nowhere), so that the terminal shows the
     * progress bar and the outcome, not log lines.
     */
    private static void logTo(String file) {
        System.setProperty("org.jboss.logging.provider", "jdk");
        java.util.logging.Logger root = java.util.logging.LogManager.getLogManager().getLogger("");
        for (java.util.logging.Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        root.setLevel(java.util.logging.Level.INFO);
        if (file == null) {
            return;
        }
        try {
            Path path = Path.of(file).toAbsolutePath();
            Files.createDirectories(path.getParent());
            java.util.logging.FileHandler handler = new java.util.logging.FileHandler(path.toString(), true);
            handler.setFormatter(new java.util.logging.SimpleFormatter());
            root.addHandler(handler);
        } catch (IOException e) {
            System.err.println("shadowshift: cannot write the log " + file + " (" + e.getMessage() + "); logging nothing");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--event: no such file: " + file);
        } catch (IOException e) {
            throw new IllegalArgumentException("--event: cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The worker's parts, wired by hand: no CDI, no Kafka, state in a schema of the target database. */
    record Engine(MigrationConfig config, TargetDatabases targets, PlanStore plans, ShadowEngine shadow,
                  PlanExecution execution, TerminalPublisher publisher) {

        static Engine start(Options o, TerminalPublisher publisher) throws SQLException {
            Map<String, String> props = new LinkedHashMap<>(o.config());
            String target = TargetsConfig.DEFAULT_TARGET;
            props.put("shadowshift.targets." + target + ".jdbc-url", o.db().jdbcUrl());
            props.put("shadowshift.targets." + target + ".username", o.db().user());
            if (o.db().password() != null) {
                props.put("shadowshift.targets." + target + ".password", o.db().password());
            }
            // environment variables (SHADOWSHIFT_MIGRATION_...) override the defaults, as for the worker; flags override both
            SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultSources()
                    .withSources(new PropertiesConfigSource(props, "command line", 500))
                    // someone watches the bar: redraw it more often than the worker publishes events (env still wins)
                    .withSources(new PropertiesConfigSource(Map.of("shadowshift.migration.progress-interval", "1s",
                            "shadowshift.migration.progress-every-tables", "5",
                            "shadowshift.migration.shadow.progress-interval", "500ms"), "interactive defaults", 10))
                    // "500ms", "2s" as in application.properties: Quarkus' spelling, not only ISO-8601
                    .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                    .withMapping(MigrationConfig.class).withMapping(TargetsConfig.class).build();
            MigrationConfig migration = config.getConfigMapping(MigrationConfig.class);
            TargetDatabases targets = new TargetDatabases(config.getConfigMapping(TargetsConfig.class));

            PGSimpleDataSource state = new PGSimpleDataSource();
            state.setURL(o.db().jdbcUrl());
            state.setUser(o.db().user());
            if (o.db().password() != null) {
                state.setPassword(o.db().password());
            }
            state.setCurrentSchema(o.stateSchema());
            state.setApplicationName("shadowshift-migrate");
            state.setConnectTimeout(10);
            Flyway.configure(MigrateCli.class.getClassLoader()).dataSource(state).schemas(o.stateSchema()).createSchemas(true)
                    .locations("classpath:db/migration").load().migrate();

            PlanStore plans = new PlanStore(state);
            ShadowEngine shadow = new ShadowEngine(targets, new ShadowStore(state), plans, publisher, migration, new Throttle(migration));
            PlanExecution execution = new PlanExecution(plans, targets, publisher, migration, shadow);
            return new Engine(migration, targets, plans, shadow, execution, publisher);
        }
    }
}
