package dev.shadowshift.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.operations.Operation;
import dev.shadowshift.pg.CatalogReader;
import dev.shadowshift.pg.LiveSchema;
import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.pg.cli.DatabaseUrl;
import dev.shadowshift.schema.compile.CompileException;
import dev.shadowshift.schema.compile.CompiledColumn;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.CompiledTable;
import dev.shadowshift.schema.compile.IndexAdvisor;
import dev.shadowshift.schema.compile.SchemaCompiler;
import dev.shadowshift.schema.diff.SchemaDiffer;
import dev.shadowshift.schema.spec.ParsedSpec;
import dev.shadowshift.schema.spec.RejectedSpecException;
import dev.shadowshift.schema.spec.SpecParser;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What diff-schema, generate-evolution and migrate share: the spec parsed and compiled as schema-service does it,
 * the target's catalog read in one snapshot, the differ's typed changes, and every statement rendered by the
 * operation classes the worker runs.
 *
 * <p>Without a registry there is no previous version to say what this spec owns, so the CLI takes the schema as
 * owned by the spec: every table in {@code --schema} (or, with {@code --objects}, every selected table) and all its
 * columns. A table or column the spec no longer has is reported as a drop (it waits for approval). {@code --ignore-drops}
 * turns that off, for schemas shared with hand-made tables.
 */
final class SchemaDiff {

    static final int MAX_SPEC_BYTES = 64 * 1024 * 1024;
    /** Tests parse each big spec once; the commands read the file. */
    static Function<Path, ParsedSpec> specLoader = SchemaDiff::readSpec;

    record Report(String specFile, String title, DatabaseUrl db, String schema, CompiledModel model, List<SchemaChange> changes,
                  SpecOptions options) {

        List<SchemaChange> inPlace() {
            return changes.stream().filter(c -> c.path() == ChangePath.IN_PLACE).toList();
        }

        List<SchemaChange> pending() {
            return changes.stream().filter(c -> c.path() != ChangePath.IN_PLACE).toList();
        }

        Map<String, Integer> counts(Function<SchemaChange, Object> by) {
            Map<String, Integer> m = new TreeMap<>();
            changes.forEach(c -> m.merge(String.valueOf(by.apply(c)), 1, Integer::sum));
            return m;
        }

        String header(String verb) {
            List<String> lines = new ArrayList<>();
            lines.add("shadowshift " + verb + ": " + specFile + (title.isEmpty() ? "" : " (" + title + ")") + " against "
                    + db + ", schema " + SqlIdentifiers.quote(schema));
            lines.add("spec: " + model.tables().size() + " tables, " + model.columnCount() + " columns, "
                    + (model.tables().size() + IndexAdvisor.recommend(model).size()) + " indexes (primary keys and recommended)");
            lines.add(changes.size() + " changes: " + inPlace().size() + " IN_PLACE, " + pending().size() + " pending"
                    + (changes.isEmpty() ? "" : " " + counts(SchemaChange::path))
                    + (changes.isEmpty() ? "" : "; by classification " + counts(SchemaChange::classification)));
            model.naming().forEach(n -> lines.add(n.line()));
            return String.join("\n", lines.stream().map(SchemaDiff::comment).toList());
        }

        int exitCode() {
            return pending().isEmpty() ? Shadowshift.OK : Shadowshift.UNSAFE_PENDING;
        }
    }

    private SchemaDiff() {
    }

    /** Parses, compiles, reads the catalog and diffs; a problem of the input is a CliException naming it. */
    static Report run(SpecOptions o, DatabaseUrl db) {
        ParsedSpec parsed;
        try {
            parsed = specLoader.apply(o.spec);
        } catch (RejectedSpecException e) {
            throw new CliException("--spec " + o.spec + " is not usable (" + e.error() + "): " + e.detail());
        }
        String schema = o.schema != null ? o.schema : defaultSchema(parsed);
        checkSchema(schema);
        String rule = o.rule.toLowerCase(Locale.ROOT);
        if (!rule.equals("all-objects") && !rule.equals("objects-with-id")) {
            throw new CliException("--rule must be all-objects or objects-with-id, not '" + o.rule + "'");
        }
        List<String> objects = o.objects == null ? null : o.objects.stream().map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
        if (objects != null && objects.isEmpty()) {
            throw new CliException("--objects names no schema; give a comma-separated list such as --objects=customer,charge");
        }
        CompiledModel model;
        try {
            model = SchemaCompiler.compile(parsed.openApi(), objects,
                    rule.equals("objects-with-id") ? SchemaCompiler.TableRule.OBJECTS_WITH_ID : SchemaCompiler.TableRule.ALL_OBJECTS,
                    o.strictNames);
        } catch (CompileException e) {
            throw new CliException("--spec " + o.spec + " does not compile to tables: " + e.getMessage());
        }
        try (Connection c = connect(db)) {
            LiveSchema live = readCatalog(c, schema);
            List<SchemaChange> changes = SchemaDiffer.diff(schema, model, live,
                    o.ignoreDrops ? null : owned(live, model, objects != null), o.withIndexes);
            return new Report(o.spec.getFileName().toString(), title(parsed), db, schema, model, changes, o);
        } catch (SQLException e) {
            throw new CliException("the database does not answer as expected: " + e.getMessage());
        }
    }

    static ParsedSpec readSpec(Path file) {
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

    /** The first word of the spec's title, snake_case: "Stripe API" -> stripe, "GitHub v3 REST API" -> github. */
    static String defaultSchema(ParsedSpec parsed) {
        for (String word : title(parsed).split("[^\\p{L}\\p{N}]+")) {
            String s = word.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "");
            if (!s.isEmpty() && !Character.isDigit(s.charAt(0))) {
                return s;
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

    static Connection connect(DatabaseUrl db) {
        try {
            DriverManager.setLoginTimeout(15);
            return DriverManager.getConnection(db.jdbcUrl(), db.properties());
        } catch (SQLException e) {
            throw new CliException("cannot connect to the database " + db + ": " + e.getMessage()
                    + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")"));
        }
    }

    /** One consistent snapshot of the catalog, read-only, with a statement timeout. */
    static LiveSchema readCatalog(Connection c, String schema) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('statement_timeout', '30000', true)")) {
            ps.execute();
            return CatalogReader.read(c, schema);
        } finally {
            c.rollback();
        }
    }

    /** What the spec owns in the live schema, standing in for the registry's previous version. */
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

    /** The change's statements as its operation renders them; commented out unless it runs in place. */
    static void printStatement(PrintWriter out, SchemaChange c) {
        boolean runnable = c.path() == ChangePath.IN_PLACE;
        for (String statement : Operation.of(c).statements()) {
            // a quoted name may hold a line break: inside a comment, every line must stay commented
            for (String line : (statement + (runnable ? ";" : "")).split(runnable ? "\n" : "\\R")) {
                out.println(runnable ? line : "-- " + line);
            }
        }
    }

    /** The comment line that introduces a change. */
    static String label(SchemaChange c) {
        return comment(c.kind() + " " + c.target() + ": " + c.classification() + ", lock " + c.lockLevel());
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

    static void printJson(PrintWriter out, Report r, Map<String, Object> extra) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("spec", r.specFile());
        doc.put("title", r.title());
        doc.put("database", r.db().toString());
        doc.put("schema", r.schema());
        doc.put("tables", r.model().tables().size());
        doc.put("columns", r.model().columnCount());
        doc.put("indexes", r.model().tables().size() + IndexAdvisor.recommend(r.model()).size());
        doc.put("naming", r.model().naming());
        doc.putAll(extra);
        doc.put("inPlace", r.inPlace().size());
        doc.put("pending", r.pending().size());
        doc.put("byPath", r.counts(SchemaChange::path));
        doc.put("byClassification", r.counts(SchemaChange::classification));
        doc.put("changes", r.changes());
        try {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL).writeValueAsString(doc));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
