package dev.shadowshift.monitor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.PostgresServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of one monitor poll over a database of many tables, and the delay from the poll that sees a condition to
 * its alert on Kafka, for a monitor-service build given as a jar (so that the code before a change and after it run
 * the same harness). Not a test: {@code benchmarks/monitor/run.sh} runs it.
 *
 * <p>Database time is what pg_stat_statements counts (execution and planning) for the monitor's own role, divided by
 * the polls the service counted in the same window. The alert delay is the Kafka record's timestamp (set by the
 * producer when the monitor sent it) minus the alert's startsAt/endsAt (the time of the poll that saw the change).
 *
 * <pre>MonitorBench --jar=monitor-service/target/quarkus-app/quarkus-run.jar --label=new [--tables=10000] [--polls=20]
 *      [--alerts=10] [--env=NAME=VALUE ...]</pre>
 */
public final class MonitorBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        Map<String, String> extraEnv = new HashMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            if (kv[0].equals("env")) {
                String[] e = kv[1].split("=", 2);
                extraEnv.put(e[0], e[1]);
            } else {
                opts.put(kv[0], kv.length > 1 ? kv[1] : "true");
            }
        }
        Path jar = Path.of(opts.getOrDefault("jar", "monitor-service/target/quarkus-app/quarkus-run.jar"));
        String label = opts.getOrDefault("label", "new");
        int tables = Integer.parseInt(opts.getOrDefault("tables", "10000"));
        int polls = Integer.parseInt(opts.getOrDefault("polls", "20"));
        int alerts = Integer.parseInt(opts.getOrDefault("alerts", "10"));
        Path logDir = Path.of(opts.getOrDefault("out", "benchmarks/monitor/out"));
        Files.createDirectories(logDir);

        Infrastructure infra = Infrastructure.start(0);
        PostgresServer pg = infra.postgres();
        String target = infra.freshDatabase("bench_target");
        String state = infra.freshDatabase("bench_state");
        String role = "bench_monitor_" + UUID.randomUUID().toString().substring(0, 6);
        long t0 = System.nanoTime();
        prepareTarget(pg, target, role, tables);
        System.err.printf("bench | %s: %d tables ready in %.0f s%n", label, tables, (System.nanoTime() - t0) / 1e9);

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("KAFKA_BOOTSTRAP_SERVERS", infra.kafka().bootstrapServers());
        env.put("SHADOWSHIFT_STATE_DB_URL", pg.jdbcUrl(state));
        env.put("SHADOWSHIFT_STATE_DB_USER", pg.user());
        env.put("SHADOWSHIFT_STATE_DB_PASSWORD", pg.password());
        env.put("SHADOWSHIFT_TARGET_URL", pg.jdbcUrl(target));
        env.put("SHADOWSHIFT_TARGET_USER", role);
        env.put("SHADOWSHIFT_TARGET_PASSWORD", "");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("SHADOWSHIFT_MONITOR_POLL_INTERVAL", "2s");
        // the long-query threshold under both names: before issue 15 and after
        env.put("SHADOWSHIFT_MONITOR_LONG_QUERY_THRESHOLD", "1s");
        env.put("SHADOWSHIFT_MONITOR_RULES_LONG_RUNNING_QUERY_WARNING", "1s");
        env.putAll(extraEnv);
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx256m", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(logDir.resolve("monitor-" + label + ".log").toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process monitor = pb.start();
        String base = "http://localhost:" + port;
        try {
            awaitPolls(base, 3, Duration.ofMinutes(3), monitor);
            // the first polls pay for class loading, catalog caches and (after issue 15) the first slow reads
            Window w = measure(pg, target, role, base, polls);
            Delays d = alertDelays(pg, target, infra.kafka().bootstrapServers(), alerts);
            System.out.printf(Locale.ROOT, "%-28s %7d %6d %9.1f %9.1f %9.1f   %7.0f %7.0f   %7.0f %7.0f%n", label, tables,
                    w.polls, w.dbMillisPerPoll, w.execMillisPerPoll, w.planMillisPerPoll, d.firingMedian, d.firingMax,
                    d.resolvedMedian, d.resolvedMax);
            System.err.println("bench | " + label + " top statements (ms per poll): " + w.top);
        } finally {
            monitor.destroy();
            monitor.waitFor();
            infra.close();
        }
    }

    private static void prepareTarget(PostgresServer pg, String db, String role, int tables) throws SQLException {
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + role + " LOGIN IN ROLE pg_monitor, pg_read_all_data");
            s.execute("ALTER ROLE " + role + " SET pg_stat_statements.track_planning = on");
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            for (int from = 1; from <= tables; from += 500) {
                int to = Math.min(tables, from + 499);
                s.execute("DO $$ BEGIN FOR i IN " + from + ".." + to + " LOOP EXECUTE format("
                        + "'CREATE TABLE public.t%s (id serial PRIMARY KEY, customer bigint, note text)', i); "
                        + "EXECUTE format('CREATE INDEX ON public.t%s (customer)', i); END LOOP; END $$");
            }
            // rows, dead tuples and used sequences in some of them, so the views have something to say
            s.execute("DO $$ BEGIN FOR i IN 1.." + Math.min(tables, 200) + " LOOP EXECUTE format("
                    + "'INSERT INTO public.t%s (customer, note) SELECT g, ''n'' FROM generate_series(1, 50) g', i); "
                    + "EXECUTE format('DELETE FROM public.t%s WHERE customer <= 10', i); END LOOP; END $$");
            s.execute("ANALYZE");
        }
    }

    private record Window(int polls, double dbMillisPerPoll, double execMillisPerPoll, double planMillisPerPoll, String top) {
    }

    private static Window measure(PostgresServer pg, String db, String role, String base, int polls) throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_statements_reset()");
            double before = counter(base);
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            double now;
            while ((now = counter(base)) < before + polls && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            double exec = 0;
            double plan = 0;
            List<String> top = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT sum(total_exec_time), sum(total_plan_time) FROM pg_stat_statements
                    WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = ?)""")) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    exec = rs.getDouble(1);
                    plan = rs.getDouble(2);
                }
            }
            double counted = counter(base) - before;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 60), total_exec_time + total_plan_time
                    FROM pg_stat_statements WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = ?)
                    ORDER BY 2 DESC LIMIT 5""")) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        top.add(String.format(Locale.ROOT, "%.1f %s", rs.getDouble(2) / counted, rs.getString(1)));
                    }
                }
            }
            return new Window((int) counted, (exec + plan) / counted, exec / counted, plan / counted, top.toString());
        }
    }

    private static final Pattern POLLS = Pattern.compile("(?m)^shadowshift_monitor_polls_total\\{[^}]*target=\"main\"[^}]*} ([0-9.eE+]+)");

    private static double counter(String base) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = POLLS.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static void awaitPolls(String base, int polls, Duration patience, Process monitor) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                if (counter(base) >= polls) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            if (!monitor.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the monitor did not poll " + polls + " times (see its log)");
            }
            Thread.sleep(500);
        }
    }

    private record Delays(double firingMedian, double firingMax, double resolvedMedian, double resolvedMax) {
    }

    /** Long queries started and cancelled in turn; each FIRING and RESOLVED record's delay after its poll. */
    private static Delays alertDelays(PostgresServer pg, String db, String bootstrap, int rounds) throws Exception {
        List<Double> firing = new ArrayList<>();
        List<Double> resolved = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of("alerts"));
            consumer.poll(Duration.ofSeconds(2)); // joined, positioned at the end
            for (int i = 0; i < rounds; i++) {
                try (Connection sleeper = pg.connect(db); Connection admin = pg.connect(db)) {
                    int pid;
                    try (Statement s = sleeper.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                        rs.next();
                        pid = rs.getInt(1);
                    }
                    CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
                        try (Statement s = sleeper.createStatement()) {
                            s.execute("SELECT pg_sleep(60)");
                        } catch (SQLException cancelled) {
                            // cancelled
                        }
                    });
                    firing.add(await(consumer, "firing", "FIRING"));
                    try (PreparedStatement cancel = admin.prepareStatement("SELECT pg_cancel_backend(?)")) {
                        cancel.setInt(1, pid);
                        cancel.execute();
                    }
                    sleeping.join();
                    resolved.add(await(consumer, "resolved", "RESOLVED"));
                }
            }
        }
        return new Delays(median(firing), Collections.max(firing), median(resolved), Collections.max(resolved));
    }

    /** Milliseconds from the poll (startsAt of a firing alert, endsAt of a resolved one) to the record's timestamp. */
    private static double await(KafkaConsumer<String, String> consumer, String v2, String v1) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                JsonNode data = EventCodec.readTree(r.value()).path("data");
                String rule = data.has("rule") ? data.path("rule").asText() : data.path("labels").path("alertname").asText();
                String status = data.path("status").asText();
                if (!rule.equals("long_running_query") || !(status.equals(v2) || status.equals(v1))) {
                    continue;
                }
                String at = status.equalsIgnoreCase("firing") ? data.path("startsAt").asText() : data.path("endsAt").asText();
                return r.timestamp() - Instant.parse(at).toEpochMilli();
            }
        }
        throw new IllegalStateException("no " + v2 + " long_running_query alert within 2 min");
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
