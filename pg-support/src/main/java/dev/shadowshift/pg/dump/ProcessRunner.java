package dev.shadowshift.pg.dump;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a PostgreSQL client tool. Output goes to temporary files, not pipes, so a chatty tool can never block on a
 * full pipe; secrets travel in the child's environment only, never in its arguments (which {@code ps} shows).
 */
public final class ProcessRunner {

    public record Result(int exitCode, String stdout, String stderr, boolean timedOut) {
        public boolean ok() {
            return !timedOut && exitCode == 0;
        }

        /** The first line that says "error" (what pg_dump and pg_restore put first), else the first non-blank line. */
        public String firstErrorLine() {
            List<String> lines = stderr.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            return lines.stream().filter(l -> l.contains("error:") || l.contains("FATAL") || l.contains("ERROR"))
                    .findFirst().orElse(lines.isEmpty() ? "(no output on stderr)" : lines.get(0));
        }
    }

    private ProcessRunner() {
    }

    public static Result run(List<String> command, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("shadowshift-tool", ".out");
        Path err = Files.createTempFile("shadowshift-tool", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().remove("PGPASSWORD");
            builder.environment().putAll(environment);
            Process process = builder.start();
            boolean finished;
            try {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                // the caller gave up (shutdown, a failed sibling step): the tool must not outlive it
                process.destroyForcibly();
                throw e;
            }
            if (!finished) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            return new Result(finished ? process.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), !finished);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
