package dev.shadowshift.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.LogManager;

/**
 * {@code ./shadowshift up}: the whole system on embedded Kafka and PostgreSQL (or the user's, named by
 * SHADOWSHIFT_KAFKA_BOOTSTRAP_SERVERS and SHADOWSHIFT_PG_URL), an example evolution run through it end to end (ending
 * with a shadow migration of a filled table under a live writer), then it stays up until Ctrl-C or SIGTERM and stops
 * everything it started.
 */
public final class LocalStackMain {

    private LocalStackMain() {
    }

    /** What {@code ./shadowshift status} reads while the stack runs: one KEY=value a line, removed when it stops. */
    public static final String STATUS_FILE = "up.env";

    public static void main(String[] args) throws Exception {
        List<String> arguments = List.of(args);
        if (arguments.isEmpty() || !arguments.get(0).equals("up")) {
            System.err.println("usage: shadowshift up [--no-example]");
            System.exit(2);
        }
        System.exit(up(Path.of(System.getProperty("shadowshift.home", ".")).toAbsolutePath().normalize(),
                !arguments.contains("--no-example")));
    }

    /** Starts everything, runs the example evolution if asked, and stays up until the JVM is told to stop. */
    public static int up(Path root, boolean example) throws Exception {
        try (InputStream logging = LocalStackMain.class.getResourceAsStream("/logging.properties")) {
            LogManager.getLogManager().readConfiguration(logging);
        }
        Consumer<String> say = line -> System.out.println("shadowshift | " + line);

        long t0 = System.nanoTime();
        LocalStack stack;
        try {
            stack = LocalStack.start(new LocalStack.Options(root, root.resolve(".shadowshift"), true, demoSettings()), say);
        } catch (Exception e) {
            System.err.println("shadowshift | could not start: " + e.getMessage());
            return 1;
        }
        Path status = root.resolve(".shadowshift").resolve(STATUS_FILE);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<DemoWorkload> writer = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            DemoWorkload w = writer.get();
            if (w != null) {
                w.close();
            }
            try {
                java.nio.file.Files.deleteIfExists(status);
            } catch (IOException ignored) {
                // a stale file names a process that is gone: status says the stack is not running
            }
            System.out.println("\nshadowshift | stopping the services, Kafka and PostgreSQL");
            stack.close();
            System.out.println("shadowshift | stopped; nothing left running");
            stopped.countDown();
        }, "shadowshift-stop"));

        if (example) {
            try (EvolutionDriver driver = new EvolutionDriver(stack)) {
                say.accept("example evolution: subject 'shop', v1 then v2, into schema 'shop' of " + LocalStack.TARGET_DATABASE);
                for (String version : List.of("v1", "v2")) {
                    EvolutionDriver.Outcome outcome = driver.evolve("shop", resource("/examples/shop-" + version + ".yaml"),
                            "main", "shop", Duration.ofSeconds(60), say);
                    if (!outcome.completed()) {
                        say.accept("example " + version + " did not complete: " + outcome.finalProgress());
                    }
                }
                shadowMigration(stack, driver, writer, say);
            } catch (Exception | AssertionError e) {
                say.accept("example evolution failed: " + e.getMessage());
            }
        }
        System.out.printf("%nshadowshift | up after %.1f s%n%n", (System.nanoTime() - t0) / 1e9);
        printWhere(stack);
        java.nio.file.Files.createDirectories(status.getParent());
        java.nio.file.Files.writeString(status, statusLines(stack));
        System.out.println("\nPress Ctrl-C to stop. ./shadowshift status --format=env prints where everything is.");
        stopped.await();
        return 0;
    }

    /**
     * The example's last step, a real shadow migration: shop.orders gets {@value #DEMO_ROWS} rows and a writer that
     * keeps writing, then v3 turns its amount into a decimal, which rewrites the table through a shadow table while
     * the writer goes on. The writer keeps writing until the stack stops, so the dashboard has traffic to show.
     */
    private static void shadowMigration(LocalStack stack, EvolutionDriver driver, AtomicReference<DemoWorkload> writer,
                                        Consumer<String> say) throws Exception {
        DemoWorkload shop = new DemoWorkload(stack.infrastructure().postgres(), LocalStack.TARGET_DATABASE);
        writer.set(shop);
        long t0 = System.nanoTime();
        shop.fill(DEMO_ROWS);
        say.accept(String.format("shadow migration: shop.orders filled with %,d rows in %.1f s; a writer (%s) now adds and "
                + "updates %d orders a second", DEMO_ROWS, (System.nanoTime() - t0) / 1e9, DemoWorkload.APPLICATION_NAME,
                DEMO_WRITES_PER_SECOND));
        shop.startWriter(DEMO_WRITES_PER_SECOND, say);
        say.accept("follow it on the dashboard: " + stack.url(LocalStack.Service.MONITOR, "/"));
        long t1 = System.nanoTime();
        EvolutionDriver.Outcome outcome = driver.evolve("shop", resource("/examples/shop-v3.yaml"), "main", "shop",
                Duration.ofMinutes(15), say);
        double took = (System.nanoTime() - t1) / 1e9;
        String strategy = outcome.plan() == null ? "no" : outcome.plan().strategy();
        say.accept(String.format("shop v3 (amount integer -> decimal): %s after %.1f s (%s plan); the writer meanwhile: %s",
                outcome.completed() ? "completed" : "did not complete: " + outcome.finalProgress(), took, strategy,
                shop.summary()));
    }

    /**
     * up polls more often than the services' defaults, so the dashboard moves while you watch; settings in the
     * environment win.
     */
    private static Map<String, String> demoSettings() {
        Map<String, String> settings = new java.util.HashMap<>();
        settings.put("SHADOWSHIFT_MONITOR_POLL_INTERVAL", "5s");
        settings.put("SHADOWSHIFT_MIGRATION_SHADOW_PROGRESS_INTERVAL", "1s");
        settings.keySet().removeIf(k -> System.getenv(k) != null);
        return settings;
    }

    static final int DEMO_ROWS = 200_000;
    static final int DEMO_WRITES_PER_SECOND = 20;

    /** KEY=value lines for scripts: the broker, the PostgreSQL server (no password), each service, the dashboard. */
    static String statusLines(LocalStack stack) {
        var pg = stack.infrastructure().postgres();
        StringBuilder out = new StringBuilder();
        out.append("SHADOWSHIFT_UP_PID=").append(ProcessHandle.current().pid()).append('\n');
        out.append("KAFKA_BOOTSTRAP_SERVERS=").append(stack.infrastructure().kafka().bootstrapServers()).append('\n');
        out.append("SHADOWSHIFT_PG_URL=postgresql://").append(pg.user()).append('@').append(pg.host()).append(':').append(pg.port()).append('\n');
        out.append("SHADOWSHIFT_TARGET_DATABASE=").append(LocalStack.TARGET_DATABASE).append('\n');
        for (LocalStack.Service s : LocalStack.Service.values()) {
            out.append("SHADOWSHIFT_").append(s.name()).append("_URL=").append(stack.url(s, "")).append('\n');
        }
        out.append("SHADOWSHIFT_DASHBOARD_URL=").append(stack.url(LocalStack.Service.MONITOR, "/")).append('\n');
        return out.toString();
    }

    private static void printWhere(LocalStack stack) {
        String row = "  %-18s %-24s %-40s %s%n";
        System.out.printf(row, "service", "url", "swagger ui", "health");
        for (LocalStack.Service s : LocalStack.Service.values()) {
            System.out.printf(row, s.module, stack.url(s, ""), stack.url(s, "/q/swagger-ui"), stack.url(s, "/q/health"));
        }
        System.out.printf("%n  %-18s %s%n", "dashboard", stack.url(LocalStack.Service.MONITOR, "/"));
        System.out.printf("  %-18s %s%n", "metrics", stack.url(LocalStack.Service.MONITOR, "/q/metrics") + " (and on every service)");
        System.out.printf("  %-18s %s%n", "kafka", stack.infrastructure().kafka().bootstrapServers());
        var pg = stack.infrastructure().postgres();
        System.out.printf("  %-18s psql -h %s -p %d -U %s %s%n", "target database", pg.host(), pg.port(), pg.user(), LocalStack.TARGET_DATABASE);
        System.out.printf("  %-18s %s%n", "logs", Path.of(".shadowshift", "logs"));
        System.out.printf("%n  Changes need a bearer token (reads are open here):%n");
        System.out.printf("    export SHADOWSHIFT_TOKEN=$(./shadowshift token --role=operator)   # or publisher, viewer; --ttl=1h%n");
        System.out.printf("    curl -X POST -H \"Authorization: Bearer $SHADOWSHIFT_TOKEN\" %s%n",
                stack.url(LocalStack.Service.MIGRATION, "/migrations/<planId>/approve"));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = LocalStackMain.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
