package dev.shadowshift.schema.bench;

import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.LiveSchema;
import dev.shadowshift.schema.compile.CompiledColumn;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.CompiledTable;
import dev.shadowshift.schema.compile.IndexAdvisor;
import dev.shadowshift.schema.compile.RecommendedIndex;
import dev.shadowshift.schema.compile.SchemaCompiler;
import dev.shadowshift.schema.compile.Names;
import dev.shadowshift.schema.diff.SchemaDiffer;
import dev.shadowshift.schema.spec.ParsedSpec;
import dev.shadowshift.schema.spec.SpecParser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark harness, not a test (surefire does not pick it up): parse + compile + diff time per spec.
 * Run by benchmarks/run-schema-bench.sh.
 *
 * <p>One run = read the file, parse it (syntax pass, $ref check, swagger-parser), compile it (ALL_OBJECTS), then
 * diff twice with indexes: against an empty database (everything is created) and against a database that already
 * matches (every column and index compared, nothing to do). No database is involved: the live side is built from
 * the model, so the figures are the CPU cost of Shadowshift's own work.
 *
 * <p>{@code --cold FILE}: one run in this JVM, which should be fresh. Otherwise {@code --warmup=W --runs=N FILE...}:
 * W runs thrown away, then the median of N.
 */
public final class SchemaBench {

    record Times(long parseMicros, long compileMicros, long diffMicros, int tables, int columns, int indexes, int changes) {
        long total() {
            return parseMicros + compileMicros + diffMicros;
        }
    }

    public static void main(String[] args) throws Exception {
        int warmup = 5;
        int runs = 10;
        boolean cold = false;
        List<Path> files = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--warmup=")) {
                warmup = Integer.parseInt(a.substring(9));
            } else if (a.startsWith("--runs=")) {
                runs = Integer.parseInt(a.substring(7));
            } else if (a.equals("--cold")) {
                cold = true;
            } else {
                files.add(Path.of(a));
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: SchemaBench [--cold | --warmup=W --runs=N] spec-file...");
            System.exit(2);
        }
        if (cold) {
            for (Path f : files) {
                Times t = once(f);
                System.out.println(row("cold", f, Files.size(f), t, 1));
            }
            return;
        }
        System.out.println(header());
        for (Path f : files) {
            for (int i = 0; i < warmup; i++) {
                once(f);
            }
            List<Times> measured = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                measured.add(once(f));
            }
            System.out.println(row("warm", f, Files.size(f), median(measured), runs));
        }
    }

    static String header() {
        return String.format(Locale.ROOT, "%-5s %-36s %7s %6s %7s %7s %8s %9s %9s %9s %9s",
                "mode", "spec", "MB", "tables", "columns", "indexes", "changes", "parse_ms", "compile_ms", "diff_ms", "total_ms");
    }

    static String row(String mode, Path f, long bytes, Times t, int runs) {
        return String.format(Locale.ROOT, "%-5s %-36s %7.2f %6d %7d %7d %8d %9.0f %9.0f %9.0f %9.0f%s",
                mode, f.getFileName(), bytes / 1048576.0, t.tables(), t.columns(), t.indexes(), t.changes(),
                t.parseMicros() / 1000.0, t.compileMicros() / 1000.0, t.diffMicros() / 1000.0, t.total() / 1000.0,
                runs > 1 ? "  (median of " + runs + ")" : "");
    }

    static Times once(Path file) throws Exception {
        long t0 = System.nanoTime();
        ParsedSpec parsed = new SpecParser(200, 100).parse(Files.readAllBytes(file));
        long t1 = System.nanoTime();
        CompiledModel model = SchemaCompiler.compile(parsed.openApi(), null);
        List<RecommendedIndex> indexes = IndexAdvisor.recommend(model);
        long t2 = System.nanoTime();
        List<SchemaChange> fresh = SchemaDiffer.diff("bench", model, new LiveSchema("bench", false, Map.of()), null, true);
        List<SchemaChange> none = SchemaDiffer.diff("bench", model, matching(model, indexes), model, true);
        long t3 = System.nanoTime();
        if (!none.isEmpty()) {
            throw new IllegalStateException(file + ": a matching database still differs: " + none.get(0));
        }
        return new Times((t1 - t0) / 1000, (t2 - t1) / 1000, (t3 - t2) / 1000, model.tables().size(), model.columnCount(),
                model.tables().size() + indexes.size(), fresh.size());
    }

    /** What the catalog reader would return for a database made from the model's DDL. */
    static LiveSchema matching(CompiledModel model, List<RecommendedIndex> indexes) {
        Map<String, LiveSchema.Table> tables = new LinkedHashMap<>();
        for (CompiledTable t : model.tables()) {
            Map<String, LiveSchema.Column> columns = new LinkedHashMap<>();
            int position = 1;
            List<String> pk = new ArrayList<>();
            for (CompiledColumn c : t.columns()) {
                columns.put(c.name(), new LiveSchema.Column(c.name(), c.type(), !c.nullable(), position++));
                if (c.primaryKey()) {
                    pk.add(c.name());
                }
            }
            List<LiveSchema.Index> live = new ArrayList<>();
            live.add(new LiveSchema.Index(Names.primaryKeyName(t.name()), "btree", pk, true, true, true, ""));
            for (RecommendedIndex i : IndexAdvisor.forTable(indexes, t.name())) {
                live.add(new LiveSchema.Index(i.name(), i.method(), i.columns(), i.unique(), false, true, ""));
            }
            tables.put(t.name(), new LiveSchema.Table(t.name(), columns, pk, live, 0));
        }
        return new LiveSchema("bench", true, tables);
    }

    static Times median(List<Times> all) {
        return new Times(med(all.stream().mapToLong(Times::parseMicros).toArray()),
                med(all.stream().mapToLong(Times::compileMicros).toArray()),
                med(all.stream().mapToLong(Times::diffMicros).toArray()),
                all.get(0).tables(), all.get(0).columns(), all.get(0).indexes(), all.get(0).changes());
    }

    static long med(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
