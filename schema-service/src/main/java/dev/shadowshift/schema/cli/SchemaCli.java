package dev.shadowshift.schema.cli;

import dev.shadowshift.pg.cli.DatabaseUrl;
import dev.shadowshift.pg.cli.ProgressBar;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.events.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.pg.TargetsConfig;
import dev.shadowshift.pg.CatalogReader;
import dev.shadowshift.pg.LiveSchema;
import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.schema.compile.CompileException;
import dev.shadowshift.schema.compile.CompiledColumn;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.CompiledTable;
import dev.shadowshift.schema.compile.IndexAdvisor;
import dev.shadowshift.schema.compile.Names;
import dev.shadowshift.schema.compile.SchemaCompiler;
import dev.shadowshift.schema.diff.SchemaDiffer;
import dev.shadowshift.schema.registry.SpecRegistrar;
import dev.shadowshift.schema.spec.ParsedSpec;
import dev.shadowshift.schema.spec.RejectedSpecException;
import dev.shadowshift.schema.spec.SpecParser;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The seed's three verbs, without Kafka and without the service's state database: parse and compile the spec,
 * read the target's catalog, diff, and print, generate or apply. Run through the root launcher:
 * {@code ./shadowshift diff-schema --spec=FILE --existing-db=URL [--schema=S] [--objects=a,b] [--format=sql|json]}.
 * Every schema the compiler skipped or renamed is listed in the header (and in JSON under {@code naming}).
 *
 * <p>Exit codes: 0 nothing to do (or everything applied), 2 invalid input (flags, spec, URL, unreachable database),
 * 3 unsafe changes pending: for diff-schema and generate-evolution any change that is not IN_PLACE, for migrate
 * anything left unapplied.
 *
 * <p>Without a registry there is no previous version to say what this spec owns, so the CLI takes the schema as
 * owned by the spec: every table in {@code --schema} (or, with {@code --objects}, every selected table) and all its
 * columns. A table or column the spec no longer has is reported as a drop (NEEDS_APPROVAL, never applied here).
 * {@code --ignore-drops} turns that off, for schemas shared with hand-made tables.
 */
public final class SchemaCli {

    /** The CloudEvents source of events the CLI writes for the migration engine. */
    public static final String CLI_SOURCE = "/shadowshift/cli";
    public static final int OK = 0;
    public static final int INVALID_INPUT = 2;
    public static final int UNSAFE_PENDING = 3;
    static final int MAX_SPEC_BYTES = 64 * 1024 * 1024;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Function<Path, ParsedSpec> specLoader;
    private final boolean terminal;
    private final Duration retryPause;

    public SchemaCli(PrintStream out, PrintStream err, Map<String, String> env, Function<Path, ParsedSpec> specLoader,
                     boolean terminal, Duration retryPause) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.specLoader = specLoader;
        this.terminal = terminal;
        this.retryPause = retryPause;
    }

    public static void main(String[] args) {
        SchemaCli cli = new SchemaCli(System.out, System.err, System.getenv(), SchemaCli::readSpec,
                System.console() != null, Duration.ofMillis(500));
        int code = cli.run(args);
        System.out.flush();
        System.exit(code);
    }

    /** Reads and parses a spec file with the service's default limits. */
    public static ParsedSpec readSpec(Path file) {
        try {
            if (Files.size(file) > MAX_SPEC_BYTES) {
                throw new CliException("--spec " + file + " is larger than " + MAX_SPEC_BYTES / (1024 * 1024) + " MB");
            }
            return new SpecParser(200, 100).parse(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new CliException("--spec: no such file: " + file);
        } catch (IOException e) {
            throw new CliException("--spec: cannot read " + file + ": " + e.getMessage());
        }
    }

    public int run(String[] args) {
        if (args.length == 0) {
            err.println(usage());
            return INVALID_INPUT;
        }
        if (java.util.Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h") || a.equals("help"))) {
            out.println(usage());
            return OK;
        }
        try {
            CliOptions o = CliOptions.parse(args, env);
            DatabaseUrl db = DatabaseUrl.parse(o.existingDb());
            Path specFile = Path.of(o.spec());
            ParsedSpec parsed = specLoader.apply(specFile);
            String schema = o.schema() != null ? o.schema() : defaultSchema(parsed);
            checkSchema(schema);
            CompiledModel model = SchemaCompiler.compile(parsed.openApi(), o.objects(),
                    o.rule().equals("objects-with-id") ? SchemaCompiler.TableRule.OBJECTS_WITH_ID : SchemaCompiler.TableRule.ALL_OBJECTS,
                    o.strictNames());
            try (Connection c = connect(db)) {
                List<SchemaChange> changes = diff(c, schema, model, o);
                Report report = new Report(specFile.getFileName().toString(), title(parsed), db.toString(), schema, model, changes, o);
                return switch (o.verb()) {
                    case "diff-schema" -> printDiff(report);
                    case "generate-evolution" -> printEvolution(report);
                    default -> migrate(c, report);
                };
            }
        } catch (CliException | IllegalArgumentException e) {
            return invalid(e.getMessage());
        } catch (RejectedSpecException e) {
            return invalid("--spec " + args(args, "spec") + " is not usable (" + e.error() + "): " + e.detail());
        } catch (CompileException e) {
            return invalid("--spec " + args(args, "spec") + " does not compile to tables: " + e.getMessage());
        } catch (SQLException e) {
            return invalid("the database does not answer as expected: " + e.getMessage());
        } catch (UncheckedIOException e) {
            return invalid(e.getMessage());
        }
    }

    private int invalid(String message) {
        err.println("shadowshift: " + message);
        return INVALID_INPUT;
    }

    private static String args(String[] args, String flag) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--" + flag + "=")) {
                return args[i].substring(flag.length() + 3);
            }
            if (args[i].equals("--" + flag) && i + 1 < args.length) {
                return args[i + 1];
            }
        }
        return "";
    }

    static String usage() {
        return """
                usage: ./shadowshift <command> --spec=FILE --existing-db=URL [flags]

                  diff-schema          show what the spec changes in the database, classified (nothing is changed)
                  generate-evolution   print the evolution SQL: safe statements to run, the rest as comments
                  migrate              apply the safe (IN_PLACE) statements with a short lock_timeout and retries;
                                       the rest is left to the migration engine (migration-worker)

                  --spec=FILE          OpenAPI 3.0/3.1 or Swagger 2.0, JSON or YAML
                  --existing-db=URL    jdbc:postgresql://host:port/db?user=..&password=.. or postgresql://user:pw@host:port/db
                                       (default: $DATABASE_URL)
                  --schema=S           target schema (default: the first word of the spec's title, e.g. stripe)
                  --objects=a,b        only these component schemas become tables
                  --rule=R             all-objects (default) or objects-with-id, when --objects is not given
                  --format=sql|json|event  output format (default sql); event: the spec-changed event
                                       the migration engine takes (what ./shadowshift migrate hands it)
                  --with-indexes       also the recommended indexes (CREATE INDEX CONCURRENTLY)
                  --strict-names       refuse the spec when two schemas map to one table name, instead of
                                       renaming one (collection envelopes are skipped either way)
                  --ignore-drops       do not report tables or columns the spec does not have
                  --lock-timeout=2s    migrate: how long a statement may wait for its lock
                  --retries=5          migrate: retries after a lock timeout, with jittered backoff

                exit codes: 0 nothing to do or applied, 2 invalid input, 3 unsafe changes pending""";
    }

    /** The first word of the spec's title, snake_case: "Stripe API" -> stripe, "GitHub v3 REST API" -> github. */
    static String defaultSchema(ParsedSpec parsed) {
        String title = title(parsed);
        for (String word : title.split("[^\\p{L}\\p{N}]+")) {
            if (!word.isEmpty()) {
                String s = word.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "");
                if (!s.isEmpty() && !Character.isDigit(s.charAt(0))) {
                    return s;
                }
            }
        }
        return "api";
    }

    private static String title(ParsedSpec parsed) {
        var info = parsed.openApi().getInfo();
        return info == null || info.getTitle() == null ? "" : info.getTitle();
    }

    private static void checkSchema(String schema) {
        if (schema.indexOf('\0') >= 0 || !SqlIdentifiers.fits(schema)) {
            throw new CliException("--schema must be 1 to " + SqlIdentifiers.MAX_BYTES + " bytes without NUL characters");
        }
        if (schema.startsWith("pg_") || schema.equals("information_schema")) {
            throw new CliException("--schema '" + schema + "' is reserved by PostgreSQL");
        }
    }

    private static Connection connect(DatabaseUrl db) {
        try {
            DriverManager.setLoginTimeout(15);
            return DriverManager.getConnection(db.jdbcUrl(), db.properties());
        } catch (SQLException e) {
            throw new CliException("cannot connect to the database " + db + ": " + e.getMessage()
                    + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")"));
        }
    }

    private List<SchemaChange> diff(Connection c, String schema, CompiledModel model, CliOptions o) throws SQLException {
        LiveSchema live = readCatalog(c, schema);
        return SchemaDiffer.diff(schema, model, live, o.ignoreDrops() ? null : owned(live, model, o.objects() != null),
                o.withIndexes());
    }

    /** One consistent snapshot of the catalog, read-only, with a statement timeout. */
    static LiveSchema readCatalog(Connection c, String schema) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('statement_timeout', '30000', true)")) {
            ps.execute();
            return CatalogReader.read(c, schema);
        } finally {
            c.rollback();
            c.setTransactionIsolation(isolation);
            c.setAutoCommit(autoCommit);
        }
    }

    /**
     * What the spec owns in the live schema, standing in for the registry's previous version: every live table
     * (only the selected ones when --objects narrows the spec) with every live column.
     */
    static CompiledModel owned(LiveSchema live, CompiledModel model, boolean onlySelected) {
        if (!live.exists()) {
            return null;
        }
        List<CompiledTable> tables = new ArrayList<>();
        for (LiveSchema.Table t : live.tables().values()) {
            if (onlySelected && model.table(t.name()).isEmpty()) {
                continue;
            }
            List<CompiledColumn> columns = t.columns().values().stream()
                    .map(c -> new CompiledColumn(c.name(), c.type(), !c.notNull(), t.primaryKey().contains(c.name()), c.name(), null))
                    .toList();
            tables.add(new CompiledTable(t.name(), "live table " + t.name(), null, columns));
        }
        return new CompiledModel(tables);
    }

    private record Report(String specFile, String title, String database, String schema, CompiledModel model,
                          List<SchemaChange> changes, CliOptions options) {

        List<SchemaChange> inPlace() {
            return changes.stream().filter(c -> SchemaDiffer.IN_PLACE.equals(c.path())).toList();
        }

        List<SchemaChange> pending() {
            return changes.stream().filter(c -> !SchemaDiffer.IN_PLACE.equals(c.path())).toList();
        }

        Map<String, Integer> counts(Function<SchemaChange, String> by) {
            Map<String, Integer> m = new TreeMap<>();
            changes.forEach(c -> m.merge(by.apply(c), 1, Integer::sum));
            return m;
        }

        String header(String verb) {
            List<String> lines = new ArrayList<>();
            lines.add("shadowshift " + verb + ": " + specFile + (title.isEmpty() ? "" : " (" + title + ")") + " against "
                    + database + ", schema " + SqlIdentifiers.quote(schema));
            lines.add("spec: " + model.tables().size() + " tables, " + model.columnCount() + " columns, "
                    + (model.tables().size() + IndexAdvisor.recommend(model).size()) + " indexes (primary keys and recommended)");
            lines.add(changes.size() + " changes: " + inPlace().size() + " IN_PLACE, " + pending().size() + " pending"
                    + (changes.isEmpty() ? "" : " " + counts(SchemaChange::path))
                    + (changes.isEmpty() ? "" : "; by classification " + counts(SchemaChange::classification)));
            model.naming().forEach(n -> lines.add(n.line()));
            return String.join("\n", lines.stream().map(SchemaCli::comment).toList());
        }
    }

    private int exitFor(Report r) {
        return r.pending().isEmpty() ? OK : UNSAFE_PENDING;
    }

    private int printDiff(Report r) {
        if (r.options().format().equals("event")) {
            out.println(EventCodec.write(specChangedEvent(r)));
            return exitFor(r);
        }
        if (r.options().format().equals("json")) {
            printJson(r, null);
            return exitFor(r);
        }
        out.println(r.header("diff-schema"));
        for (SchemaChange c : r.changes()) {
            out.println();
            out.println(comment(c.kind() + " " + c.table() + (c.column() == null ? "" : "." + c.column()) + ": "
                    + c.classification() + ", lock " + c.lockLevel() + ", path " + c.path()));
            if (c.detail() != null) {
                out.println(comment("  " + c.detail()));
            }
            printStatement(c);
        }
        if (r.changes().isEmpty()) {
            out.println("-- nothing to do: the database matches the spec");
        }
        return exitFor(r);
    }

    /**
     * The diff as the spec-changed event schema-service would publish for it, for {@code ./shadowshift migrate} to
     * hand to the migration engine without Kafka. Its id derives from the database, the schema and the changes, so
     * that running the same migration again after an interruption finds (and resumes) the plan it made before.
     */
    static CloudEvent specChangedEvent(Report r) {
        String changes;
        try {
            changes = EventCodec.mapper().writeValueAsString(r.changes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String hash = SpecRegistrar.sha256(r.database() + "\n" + r.schema() + "\n" + changes);
        String id = java.util.UUID.nameUUIDFromBytes(("cli-spec-changed:" + hash).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
        SpecChanged payload = new SpecChanged(r.specFile(), 1, null, hash, TargetsConfig.DEFAULT_TARGET, r.schema(), "NONE", r.changes());
        return EventCodec.create(id, CLI_SOURCE, r.specFile(), payload);
    }

    private int printEvolution(Report r) {
        if (r.options().format().equals("json")) {
            printJson(r, null);
            return exitFor(r);
        }
        out.println(r.header("generate-evolution"));
        if (!r.inPlace().isEmpty()) {
            out.println("-- run with psql in autocommit mode: CREATE INDEX CONCURRENTLY refuses a transaction block");
            out.println("SET lock_timeout = '" + r.options().lockTimeout().toMillis() + "ms';");
        }
        for (SchemaChange c : r.inPlace()) {
            out.println();
            out.println(comment(c.kind() + " " + c.table() + (c.column() == null ? "" : "." + c.column()) + ": "
                    + c.classification() + ", lock " + c.lockLevel()));
            out.println(c.sql() + ";");
        }
        if (!r.pending().isEmpty()) {
            out.println();
            out.println("-- PENDING: " + r.pending().size() + " changes are not safe to run here; migration-worker applies them "
                    + "(SHADOW_TABLE) or waits for approval (NEEDS_APPROVAL):");
            for (SchemaChange c : r.pending()) {
                out.println(comment(c.kind() + " " + c.table() + (c.column() == null ? "" : "." + c.column()) + ": "
                        + c.classification() + ", " + c.path()));
                printStatement(c);
            }
        }
        if (r.changes().isEmpty()) {
            out.println("-- nothing to do: the database matches the spec");
        }
        return exitFor(r);
    }

    /**
     * One SQL comment line ({@code -- text}) that stays one line: the output is meant for psql, and spec text (a title,
     * a schema or property name) with a line break in it would otherwise end the comment and run as SQL.
     */
    static String comment(String text) {
        StringBuilder out = new StringBuilder("-- ");
        text.codePoints().forEach(cp -> {
            if (cp == '\n') {
                out.append("\\n");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (cp != '\t' && (Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private void printStatement(SchemaChange c) {
        if (c.sql() == null) {
            return;
        }
        boolean runnable = SchemaDiffer.IN_PLACE.equals(c.path());
        for (String line : (c.sql() + (runnable ? ";" : "")).split(runnable ? "\n" : "\\R")) {
            out.println(runnable ? line : "-- " + line);
        }
    }

    private int migrate(Connection c, Report r) throws SQLException {
        List<SchemaChange> toApply = r.inPlace();
        err.println("shadowshift | migrate " + r.specFile() + " into " + r.database() + " schema " + SqlIdentifiers.quote(r.schema())
                + ": " + toApply.size() + " safe changes to apply, " + r.pending().size() + " for the migration engine");
        r.model().naming().forEach(n -> err.println("shadowshift | " + n.line()));
        EvolutionApplier.Outcome outcome = new EvolutionApplier(r.options().lockTimeout(), r.options().retries(), retryPause)
                .apply(c, toApply, new ProgressBar(err, toApply.size(), terminal), err);
        // what is left, read from the database itself rather than assumed
        CompiledModel model = r.model();
        List<SchemaChange> left = diff(c, r.schema(), model, r.options());
        Report after = new Report(r.specFile(), r.title(), r.database(), r.schema(), model, left, r.options());
        if (r.options().format().equals("json")) {
            printJson(after, outcome);
        } else {
            out.println("applied " + outcome.applied().size() + " of " + toApply.size() + " safe changes"
                    + (outcome.retries() > 0 ? " (" + outcome.retries() + " lock-timeout retries)" : ""));
            if (outcome.failed() != null) {
                out.println("stopped at " + outcome.error());
            }
            if (left.isEmpty()) {
                out.println("nothing left: the database matches the spec");
            } else {
                out.println(left.size() + " changes left; they are handed to the migration engine: migration-worker copies "
                        + "SHADOW_TABLE changes through a shadow table and holds NEEDS_APPROVAL changes for approval "
                        + "(register the spec with schema-service to start it)");
                for (SchemaChange ch : left) {
                    out.println("  " + ch.kind() + " " + ch.table() + (ch.column() == null ? "" : "." + ch.column()) + ": "
                            + ch.classification() + ", " + ch.path());
                }
            }
        }
        return left.isEmpty() && outcome.failed() == null ? OK : UNSAFE_PENDING;
    }

    private void printJson(Report r, EvolutionApplier.Outcome outcome) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("spec", r.specFile());
        doc.put("title", r.title());
        doc.put("database", r.database());
        doc.put("schema", r.schema());
        doc.put("tables", r.model().tables().size());
        doc.put("columns", r.model().columnCount());
        doc.put("indexes", r.model().tables().size() + IndexAdvisor.recommend(r.model()).size());
        doc.put("naming", r.model().naming());
        if (outcome != null) {
            doc.put("applied", outcome.applied().size());
            doc.put("retries", outcome.retries());
            doc.put("failed", outcome.error());
        }
        doc.put("inPlace", r.inPlace().size());
        doc.put("pending", r.pending().size());
        doc.put("byPath", r.counts(SchemaChange::path));
        doc.put("byClassification", r.counts(SchemaChange::classification));
        doc.put("changes", r.changes());
        try {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
