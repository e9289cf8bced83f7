package dev.shadowshift.localstack;

import dev.shadowshift.security.Roles;
import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.testkit.TopicWatcher;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Drives an evolution the way an upstream system and an operator would: submit a spec to schema-service, then follow
 * the plan through the topics until the migration worker reports an outcome.
 */
public final class EvolutionDriver implements AutoCloseable {

    /** What became of one submitted spec version. */
    public record Outcome(int httpStatus, JsonNode registration, MigrationPlanned plan, MigrationProgress finalProgress) {
        public boolean completed() {
            return finalProgress != null && finalProgress.status().equals("COMPLETED")
                    || plan != null && plan.status().equals("NOTHING_TO_DO");
        }
    }

    private final LocalStack stack;
    private final TopicWatcher watcher;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public EvolutionDriver(LocalStack stack) {
        this.stack = stack;
        this.watcher = new TopicWatcher(stack.infrastructure().kafka().bootstrapServers(), Topics.ALL);
    }

    public TopicWatcher watcher() {
        return watcher;
    }

    /** POST /subjects/{subject}/versions; returns the status and the JSON answer. */
    public HttpResponse<String> submit(String subject, String spec, String target, String schema) throws IOException, InterruptedException {
        String query = "?target=" + URLEncoder.encode(target, StandardCharsets.UTF_8)
                + "&schema=" + URLEncoder.encode(schema, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.url(LocalStack.Service.SCHEMA,
                        "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions" + query)))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", spec.stripLeading().startsWith("{") ? "application/json" : "application/yaml")
                .header("Authorization", stack.bearer(Roles.PUBLISHER))
                .POST(HttpRequest.BodyPublishers.ofString(spec))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Submits a spec and waits for the migration it causes to finish, reporting progress as it goes. */
    public Outcome evolve(String subject, String spec, String target, String schema, Duration timeout, Consumer<String> say)
            throws IOException, InterruptedException {
        HttpResponse<String> response = submit(subject, spec, target, schema);
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("schema-service refused " + subject + ": HTTP " + response.statusCode() + " " + response.body());
        }
        JsonNode registration = EventCodec.mapper().readTree(response.body());
        int version = registration.path("version").asInt();
        say.accept(subject + " v" + version + " registered (HTTP " + response.statusCode() + ")");
        if (response.statusCode() == 200) {
            return new Outcome(200, registration, null, null);
        }
        MigrationPlanned plan = awaitPlan(subject, version, timeout);
        say.accept("plan " + plan.planId() + ": " + plan.steps().size() + " steps, " + plan.pending().size()
                + " pending, strategy " + plan.strategy() + (plan.requiresBackup() ? ", backup first" : ", no backup needed"));
        if (plan.status().equals("NOTHING_TO_DO") || plan.status().equals("AWAITING_APPROVAL")) {
            return new Outcome(201, registration, plan, null);
        }
        MigrationProgress last = awaitOutcome(plan.planId(), timeout, say);
        return new Outcome(201, registration, plan, last);
    }

    public MigrationPlanned awaitPlan(String subject, int version, Duration timeout) {
        TopicWatcher.Seen seen = watcher.await(Topics.MIGRATION_PLANNED, s -> {
            MigrationPlanned p = EventCodec.read(s.value()).dataAs(MigrationPlanned.class);
            return p.subject().equals(subject) && p.version() == version;
        }, timeout);
        return EventCodec.read(seen.value()).dataAs(MigrationPlanned.class);
    }

    public MigrationProgress awaitOutcome(String planId, Duration timeout, Consumer<String> say) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int reported = 0;
        while (System.nanoTime() < deadline) {
            List<MigrationProgress> progress = progressOf(planId);
            for (; reported < progress.size(); reported++) {
                MigrationProgress p = progress.get(reported);
                say.accept("  " + (p.rowsTotal() != null && p.rowsTotal() > 0 && p.rowsCopied() != null
                        ? rows(p) : bar(p.stepsDone(), p.stepsTotal())) + " " + p.status() + " " + p.phase()
                        + (p.message() == null ? "" : " - " + p.message()));
            }
            for (MigrationProgress p : progress) {
                if (List.of("COMPLETED", "FAILED", "ROLLED_BACK").contains(p.status())) {
                    return p;
                }
            }
            sleep(200);
        }
        throw new AssertionError("plan " + planId + " did not finish within " + timeout + "; progress seen: " + progressOf(planId));
    }

    public List<MigrationProgress> progressOf(String planId) {
        return watcher.on(Topics.MIGRATION_PROGRESS).stream()
                .map(s -> EventCodec.read(s.value()))
                .map(e -> e.dataAs(MigrationProgress.class))
                .filter(p -> p.planId().equals(planId))
                .toList();
    }

    public List<CloudEvent> events(String topic) {
        return watcher.on(topic).stream().map(s -> EventCodec.read(s.value())).toList();
    }

    static String bar(int done, int total) {
        int width = 30;
        int filled = total <= 0 ? width : (int) Math.round(width * Math.min(1.0, done / (double) total));
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + total;
    }

    /** While a shadow table is filled: the rows, their rate and what is left. */
    static String rows(MigrationProgress p) {
        String bar = bar((int) Math.min(Integer.MAX_VALUE, p.rowsCopied()), (int) Math.min(Integer.MAX_VALUE, p.rowsTotal()));
        return bar.substring(0, bar.indexOf(']') + 1) + String.format(" %,d/%,d rows%s%s", p.rowsCopied(), p.rowsTotal(),
                p.rowsPerSecond() == null ? "" : String.format(", %,.0f/s", p.rowsPerSecond()),
                p.etaSeconds() == null ? "" : ", " + p.etaSeconds() + " s left");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        watcher.close();
    }
}
