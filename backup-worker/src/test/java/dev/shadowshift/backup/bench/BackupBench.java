package dev.shadowshift.backup.bench;

import dev.shadowshift.pg.PgEndpoint;
import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.pg.cli.DatabaseUrl;
import dev.shadowshift.pg.dump.ArchiveFormat;
import dev.shadowshift.pg.dump.DumpSettings;
import dev.shadowshift.pg.dump.FilesystemStorage;
import dev.shadowshift.pg.dump.PgCommands;
import dev.shadowshift.pg.dump.ProcessRunner;
import dev.shadowshift.pg.dump.RestoreCheck;
import dev.shadowshift.pg.dump.SnapshotDump;
import dev.shadowshift.pg.dump.TableDump;
import dev.shadowshift.pg.dump.TableName;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Our backup (what backup-worker runs: {@link TableDump#make}, i.e. a snapshot exported and counted while pg_dump
 * reads it, pg_restore --list, the archive's SHA-256, the rename into the storage) against a bare pg_dump of the same
 * tables with the same format, compression and jobs, interleaved in one run; then our verification (a restore into
 * a scratch database and the row counts) on its own. Not a test: benchmarks/backup/run.sh runs it with plain java.
 */
public final class BackupBench {

    private record Config(String name, DumpSettings settings) {
    }

    private record Times(List<Double> bare, List<Double> ours, List<Double> verify, long sizeBytes) {
    }

    public static void main(String[] args) throws Exception {
        DatabaseUrl url = DatabaseUrl.parse(env("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"));
        long rows = Long.parseLong(env("BENCH_ROWS", "2000000"));
        int rounds = Integer.parseInt(env("BENCH_ROUNDS", "9"));
        Path work = Files.createTempDirectory("shadowshift-backup-bench");
        String db = "ss_bench_backup_" + ProcessHandle.current().pid();
        PgEndpoint admin = new PgEndpoint(url.host(), url.port(), url.database(), url.user(), Optional.ofNullable(url.password()));
        PgEndpoint endpoint = new PgEndpoint(url.host(), url.port(), db, url.user(), Optional.ofNullable(url.password()));
        TableDump.Tools tools = new TableDump.Tools(env("BENCH_PG_DUMP", "pg_dump"), env("BENCH_PG_RESTORE", "pg_restore"), Duration.ofHours(2));
        List<TableName> tables = List.of(new TableName("bench", "customers"), new TableName("bench", "orders"));
        List<Config> configs = new ArrayList<>();
        for (String c : env("BENCH_FORMATS", "custom,directory:2").split(",")) {
            String[] parts = c.strip().split(":");
            ArchiveFormat format = ArchiveFormat.of(parts[0]);
            int jobs = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
            OptionalInt compression = System.getenv("BENCH_COMPRESSION") == null ? OptionalInt.empty()
                    : OptionalInt.of(Integer.parseInt(System.getenv("BENCH_COMPRESSION")));
            configs.add(new Config(format.pgName() + (jobs > 1 ? " -j " + jobs : "") + compression.stream().mapToObj(z -> " -Z " + z)
                    .findFirst().orElse(""), new DumpSettings(format, compression, jobs)));
        }

        try (Connection c = admin.connect(admin.database()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + SqlIdentifiers.quote(db));
        }
        try {
            long loadStarted = System.nanoTime();
            load(endpoint, rows);
            say("loaded %,d orders and %,d customers in %.1f s", rows, rows / 10, secs(System.nanoTime() - loadStarted));
            double countAlone = countAlone(endpoint, tables);
            System.out.printf("# %s, %d cores, %s; %s; %,d + %,d rows; %d rounds, bare and ours alternating which goes first%n",
                    java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES), Runtime.getRuntime().availableProcessors(),
                    version(tools.pgDump()), serverVersion(endpoint), rows, rows / 10, rounds);
            System.out.println("| archive | size | bare pg_dump: best / median | our backup, no verification: best / median "
                    + "| overhead: best vs best / median of rounds | rounds' overheads | verification: best / median |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (Config config : configs) {
                Times t = measure(tools, endpoint, tables, config.settings(), rounds, work);
                List<Double> overheads = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    overheads.add(100 * (t.ours().get(i) / t.bare().get(i) - 1));
                }
                System.out.printf("| %s | %.1f MB | %.2f / %.2f s | %.2f / %.2f s | %+.1f / %+.1f %% | %s | %.2f / %.2f s |%n", config.name(),
                        t.sizeBytes() / 1e6, min(t.bare()), median(t.bare()), min(t.ours()), median(t.ours()),
                        100 * (min(t.ours()) / min(t.bare()) - 1), median(overheads),
                        String.join(", ", overheads.stream().map(o -> String.format("%+.1f", o)).toList()), min(t.verify()), median(t.verify()));
            }
            System.out.printf("# counting the rows alone (what our backup does while pg_dump runs): %.2f s%n", countAlone);
        } finally {
            try (Connection c = admin.connect(admin.database()); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + SqlIdentifiers.quote(db) + " WITH (FORCE)");
            }
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Times measure(TableDump.Tools tools, PgEndpoint endpoint, List<TableName> tables, DumpSettings settings, int rounds,
                                 Path work) throws Exception {
        FilesystemStorage storage = new FilesystemStorage(work.resolve("ours"));
        Path bareOut = work.resolve("bare" + settings.format().suffix());
        // one of each first, not counted: both then read a warm cache
        bare(tools, endpoint, tables, settings, bareOut);
        ours(tools, endpoint, tables, settings, storage, "warmup");
        List<Double> bare = new ArrayList<>();
        List<Double> ours = new ArrayList<>();
        List<Double> verify = new ArrayList<>();
        long size = 0;
        for (int round = 0; round < rounds; round++) {
            String id = "round" + round;
            double b;
            double o;
            if (round % 2 == 0) {
                b = bare(tools, endpoint, tables, settings, bareOut);
                o = ours(tools, endpoint, tables, settings, storage, id);
            } else {
                o = ours(tools, endpoint, tables, settings, storage, id);
                b = bare(tools, endpoint, tables, settings, bareOut);
            }
            TableDump.Made made = lastMade;
            long started = System.nanoTime();
            RestoreCheck.Result check = RestoreCheck.run(tools, endpoint, id, Path.of(made.location()),
                    new RestoreCheck.Expected(made.digest().sha256(), made.rows(), false), settings.jobs());
            double v = secs(System.nanoTime() - started);
            if (check.verdict() != RestoreCheck.Verdict.VERIFIED) {
                throw new IllegalStateException("verification of round " + round + ": " + check.verdict() + " " + check.reason());
            }
            say("%s round %d: bare %.2f s, ours %.2f s (%+.1f %%), verification %.2f s", settings.format().pgName(), round, b, o,
                    100 * (o / b - 1), v);
            bare.add(b);
            ours.add(o);
            verify.add(v);
            size = made.digest().sizeBytes();
            storage.delete(made.location());
        }
        return new Times(bare, ours, verify, size);
    }

    private static TableDump.Made lastMade;

    private static double ours(TableDump.Tools tools, PgEndpoint endpoint, List<TableName> tables, DumpSettings settings,
                               FilesystemStorage storage, String id) throws Exception {
        long started = System.nanoTime();
        lastMade = TableDump.make(tools, endpoint, tables, settings, storage, id);
        double took = secs(System.nanoTime() - started);
        if (id.equals("warmup")) {
            storage.delete(lastMade.location());
        }
        return took;
    }

    private static double bare(TableDump.Tools tools, PgEndpoint endpoint, List<TableName> tables, DumpSettings settings, Path out)
            throws Exception {
        deleteTree(out);
        long started = System.nanoTime();
        ProcessRunner.Result run = ProcessRunner.run(PgCommands.dump(tools.pgDump(), endpoint, tables, settings, null, out),
                PgCommands.environment(endpoint), tools.timeout());
        double took = secs(System.nanoTime() - started);
        if (!run.ok()) {
            throw new IllegalStateException("bare pg_dump failed: " + run.firstErrorLine());
        }
        deleteTree(out);
        return took;
    }

    private static void load(PgEndpoint endpoint, long rows) throws Exception {
        try (Connection c = endpoint.connect(endpoint.database()); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA bench");
            s.execute("CREATE TABLE bench.customers (id integer PRIMARY KEY, name text NOT NULL, email text, created_at timestamptz NOT NULL)");
            s.execute("INSERT INTO bench.customers SELECT g, 'customer ' || g, 'c' || g || '@example.com', "
                    + "timestamptz '2024-01-01' + g * interval '1 minute' FROM generate_series(1, " + Math.max(1, rows / 10) + ") g");
            s.execute("CREATE TABLE bench.orders (id bigint PRIMARY KEY, customer_id integer NOT NULL REFERENCES bench.customers, "
                    + "amount numeric(12,2) NOT NULL, status text NOT NULL, note text, created_at timestamptz NOT NULL)");
            s.execute("INSERT INTO bench.orders SELECT g, 1 + g % " + Math.max(1, rows / 10) + ", (g % 100000) / 100.0, "
                    + "(ARRAY['new','paid','shipped','returned'])[1 + g % 4], CASE WHEN g % 3 = 0 THEN md5(g::text) END, "
                    + "timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, " + rows + ") g");
            s.execute("CREATE INDEX orders_customer ON bench.orders (customer_id)");
            s.execute("VACUUM ANALYZE bench.customers");
            s.execute("VACUUM ANALYZE bench.orders");
        }
    }

    private static double countAlone(PgEndpoint endpoint, List<TableName> tables) throws Exception {
        try (Connection c = endpoint.connect(endpoint.database()); Statement s = c.createStatement()) {
            long started = System.nanoTime();
            for (TableName t : tables) {
                SnapshotDump.count(s, t);
            }
            return secs(System.nanoTime() - started);
        }
    }

    private static String version(String tool) throws Exception {
        return ProcessRunner.run(List.of(tool, "--version"), java.util.Map.of(), Duration.ofSeconds(10)).stdout().strip();
    }

    private static String serverVersion(PgEndpoint endpoint) throws Exception {
        try (Connection c = endpoint.connect(endpoint.database()); Statement s = c.createStatement();
             var rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return "server PostgreSQL " + rs.getString(1) + " at " + endpoint.host() + ":" + endpoint.port();
        }
    }

    private static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path x : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double secs(long nanos) {
        return nanos / 1e9;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static void say(String format, Object... args) {
        System.err.printf("bench | " + format + "%n", args);
    }

    private BackupBench() {
    }
}
