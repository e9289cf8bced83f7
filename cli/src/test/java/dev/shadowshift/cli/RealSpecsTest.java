package dev.shadowshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.LiveSchema;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.IndexAdvisor;
import dev.shadowshift.schema.compile.RecommendedIndex;
import dev.shadowshift.schema.compile.SchemaCompiler;
import dev.shadowshift.schema.diff.Ddl;
import dev.shadowshift.schema.diff.SchemaDiffer;
import dev.shadowshift.schema.spec.ParsedSpec;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared real-world specs against the testkit's real PostgreSQL: each compiles and its DDL (tables, keys and
 * recommended indexes) applies cleanly to a fresh database, after which the differ finds nothing; each evolution
 * pair evolves through the CLI's generate-evolution and leaves nothing behind. Each spec is parsed once.
 */
class RealSpecsTest {

    static final Path SPECS = dev.shadowshift.testkit.SharedSpecs.dir();
    static final CliRun.SpecCache CACHE = new CliRun.SpecCache();
    static PostgresServer pg;

    @BeforeAll
    static void start() {
        assertTrue(Files.isDirectory(SPECS), "specs at " + SPECS.toAbsolutePath());
        pg = Infrastructure.shared().postgres();
    }

    @AfterAll
    static void forget() {
        CACHE.clear();
    }

    static List<Path> specFiles() throws Exception {
        try (Stream<Path> files = Files.list(SPECS)) {
            return files.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    /**
     * Tables, columns and indexes (primary keys + recommended) per shared spec, as in the README. The tables and
     * columns have not changed since before collection envelopes and name collisions were handled.
     */
    static final java.util.Map<String, String> FIGURES = java.util.Map.of(
            "stripe-spec3-2022-04-07.json", "520 3490 1641",
            "stripe-spec3-2022-04-12.json", "520 3492 1641",
            "github-api.github.com-v1.0.0.json", "191 2352 592",
            "github-api.github.com-v1.1.3.json", "195 2370 597",
            "slack-web-api-swagger2.json", "18 296 70",
            "twilio-api-v2010.yaml", "76 1007 196");

    @Test
    void everySharedSpecCompilesAndItsDdlAppliesToAFreshDatabase() throws Exception {
        List<Path> files = specFiles();
        assertTrue(files.size() >= 6, files.toString());
        for (Path file : files) {
            ParsedSpec parsed = CACHE.apply(file);
            CompiledModel model = SchemaCompiler.compile(parsed.openApi(), null);
            List<RecommendedIndex> indexes = IndexAdvisor.recommend(model);
            assertEquals(List.of(), model.naming(), file + ": nothing skipped or renamed");
            String figures = FIGURES.get(file.getFileName().toString());
            if (figures != null) {
                assertEquals(figures, model.tables().size() + " " + model.columnCount() + " " + (model.tables().size() + indexes.size()),
                        file + ": tables, columns, indexes as in the README");
            }
            if (file.getFileName().toString().startsWith("stripe")) {
                // the seed's status + time example, on the real spec
                assertTrue(indexes.stream().anyMatch(i -> i.table().equals("subscriptions") && i.columns().equals(List.of("status", "created"))),
                        file.toString());
            }
            String database = Infrastructure.shared().freshDatabase("spec");
            String schema = SchemaDiff.defaultSchema(parsed);
            try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
                s.execute(Ddl.script(schema, model, "-- " + file.getFileName()));
                for (RecommendedIndex index : indexes) {
                    s.execute(Ddl.createIndex(schema, index)); // CONCURRENTLY: one autocommit statement each
                }
                LiveSchema live = SchemaDiff.readCatalog(c, schema);
                assertEquals(model.tables().size(), live.tables().size(), file.toString());
                assertEquals(model.tables().size() + indexes.size(),
                        live.tables().values().stream().mapToInt(t -> t.indexes().size()).sum(), file.toString());
                List<SchemaChange> left = SchemaDiffer.diff(schema, model, live, SchemaDiff.owned(live, model, false), true);
                assertEquals(List.of(), left, file + ": the database made from the DDL must match the spec");
            }
            System.out.printf("%s: %d tables, %d columns, %d indexes (%d primary keys, %d recommended, %d of them composite)%n",
                    file.getFileName(), model.tables().size(), model.columnCount(), model.tables().size() + indexes.size(),
                    model.tables().size(), indexes.size(), indexes.stream().filter(i -> i.columns().size() > 1).count());
        }
    }

    @Test
    void stripePairEvolvesByExactlyTheTwoAddedColumns() throws Exception {
        List<String> first = evolve("stripe-spec3-2022-04-07.json", "stripe-spec3-2022-04-12.json");
        assertEquals(List.of(
                "ADD_COLUMN payment_method_details_card_presents.incremental_authorization_supported ADDITIVE IN_PLACE",
                "ADD_COLUMN payment_method_options_card_presents.request_incremental_authorization_support ADDITIVE IN_PLACE"), first);
    }

    @Test
    void githubPairEvolvesByItsNewSchemas() throws Exception {
        List<String> first = evolve("github-api.github.com-v1.0.0.json", "github-api.github.com-v1.1.3.json");
        // 9 schemas are new in 1.1.3; 4 are objects with properties and become tables. The 5 properties that left
        // code-scanning-alert-instances never were columns: in 1.0.0 it is an array schema (with a defect).
        assertEquals(List.of(
                "CREATE_TABLE actions_enterprise_permissions ADDITIVE IN_PLACE",
                "CREATE_TABLE actions_organization_permissions ADDITIVE IN_PLACE",
                "CREATE_TABLE actions_repository_permissions ADDITIVE IN_PLACE",
                "CREATE_TABLE selected_actions ADDITIVE IN_PLACE"), first);
    }

    /**
     * Applies the old spec's DDL, lets the CLI diff and generate the evolution for the new one, runs that SQL as
     * printed, and diffs again: nothing may be left. Returns the first diff as "KIND table.column CLASS PATH".
     */
    List<String> evolve(String oldFile, String newFile) throws Exception {
        ParsedSpec old = CACHE.apply(SPECS.resolve(oldFile));
        String schema = SchemaDiff.defaultSchema(old);
        String database = Infrastructure.shared().freshDatabase("pair");
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute(Ddl.script(schema, SchemaCompiler.compile(old.openApi(), null), "-- " + oldFile));
        }
        String spec = "--spec=" + SPECS.resolve(newFile);
        String db = "--existing-db=" + CliRun.url(pg, database);

        CliRun diff = CliRun.run(CACHE, "diff-schema", spec, db, "--format=json");
        assertEquals(0, diff.code(), diff.toString());
        JsonNode doc = new ObjectMapper().readTree(diff.out());
        List<String> first = new ArrayList<>();
        for (JsonNode c : doc.get("changes")) {
            first.add(c.get("kind").asText() + " " + c.get("table").asText() + (c.path("column").isMissingNode() ? "" : "." + c.get("column").asText())
                    + " " + c.get("classification").asText() + " " + c.get("path").asText());
        }

        CliRun evolution = CliRun.run(CACHE, "generate-evolution", spec, db);
        assertEquals(0, evolution.code(), evolution.toString());
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute(evolution.out()); // the script exactly as printed: comments, SET lock_timeout and statements
        }

        CliRun again = CliRun.run(CACHE, "diff-schema", spec, db);
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().contains("-- 0 changes"), again.toString());
        assertTrue(again.out().contains("nothing to do"), again.toString());
        Set<String> kinds = new TreeSet<>();
        first.forEach(f -> kinds.add(f.split(" ")[0]));
        assertFalse(kinds.isEmpty());
        return first;
    }
}
