package dev.shadowshift.cli;

import dev.shadowshift.schema.spec.ParsedSpec;
import dev.shadowshift.testkit.PostgresServer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** Runs the CLI's main logic in-process and captures what it prints. */
record CliRun(int code, String out, String err) {

    /** Parses each spec file once per test class: the real specs take a second or more each. */
    static final class SpecCache implements Function<Path, ParsedSpec> {
        private final Map<Path, ParsedSpec> parsed = new ConcurrentHashMap<>();

        @Override
        public ParsedSpec apply(Path path) {
            Path key = path.toAbsolutePath().normalize();
            ParsedSpec known = parsed.get(key);
            if (known != null) {
                return known;
            }
            ParsedSpec fresh = SchemaDiff.readSpec(path); // outside computeIfAbsent: it may throw
            parsed.put(key, fresh);
            return fresh;
        }

        void clear() {
            parsed.clear();
        }
    }

    private static final Path BACKUPS = temporaryBackups();

    private static Path temporaryBackups() {
        try {
            return java.nio.file.Files.createTempDirectory("shadowshift-cli-backups");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static CliRun run(Function<Path, ParsedSpec> loader, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SchemaDiff.specLoader = loader;
        if (args.length > 0 && args[0].equals("migrate") && java.util.Arrays.stream(args).noneMatch(a -> a.startsWith("--backup-dir"))) {
            // never into the module's folder: every test run's archives go to one temporary place
            args = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--backup-dir=" + BACKUPS))
                    .toArray(String[]::new);
        }
        java.io.PrintWriter o = new java.io.PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        java.io.PrintWriter e = new java.io.PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        int code = Shadowshift.commandLine(o, e).execute(args);
        o.flush();
        e.flush();
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A JDBC URL with user and password as query parameters, the way a CI job would pass it. */
    static String url(PostgresServer pg, String database) {
        return pg.jdbcUrl(database) + "?user=" + pg.user() + (pg.password().isEmpty() ? "" : "&password=" + pg.password());
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + (out.length() > 4000 ? out.substring(0, 4000) + "..." : out) + "\n--- stderr\n" + err;
    }
}
