package dev.shadowshift.localstack;

import dev.shadowshift.contracts.Topics;
import dev.shadowshift.security.LocalKeyPair;
import dev.shadowshift.security.Tokens;
import dev.shadowshift.testkit.DatabaseRoles;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.PostgresServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The whole system on one machine: a Kafka broker, a PostgreSQL server, and the four services as separate JVMs
 * wired to them by environment variables, the same way docker-compose wires them. Used by {@code ./shadowshift up}
 * and by the end-to-end test.
 */
public final class LocalStack implements AutoCloseable {

    /** The services, in the order they start, with the state database each keeps. */
    public enum Service {
        // the schema service holds whole parsed specs (Stripe's is 4 MB of JSON) in memory while it compiles them
        SCHEMA("schema-service", 8081, "shadowshift_schema", "1g"),
        MIGRATION("migration-worker", 8082, "shadowshift_migration", "384m"),
        BACKUP("backup-worker", 8083, "shadowshift_backup", "256m"),
        MONITOR("monitor-service", 8084, "shadowshift_monitor", "256m");

        /** The PostgreSQL role it logs in as (deploy/postgres/roles.sql). */
        public DatabaseRoles.Service role() {
            return DatabaseRoles.Service.valueOf(name());
        }

        public final String module;
        public final int defaultPort;
        public final String stateDatabase;
        final String maxHeap;

        Service(String module, int defaultPort, String stateDatabase, String maxHeap) {
            this.module = module;
            this.defaultPort = defaultPort;
            this.stateDatabase = stateDatabase;
            this.maxHeap = maxHeap;
        }
    }

    public static final String TARGET_DATABASE = "shadowshift_target";

    /**
     * @param repoRoot   the checkout, where each service's target/quarkus-app lives
     * @param workDir    logs and backups go here
     * @param fixedPorts true for the well-known ports 8081-8084; false picks free ports (tests)
     * @param extraEnv   settings passed to every service, e.g. a shorter monitor poll interval
     */
    public record Options(Path repoRoot, Path workDir, boolean fixedPorts, Map<String, String> extraEnv) {
    }

    /** Role of the tokens the stack signs for its own requests (the example evolution). */
    private static final Duration OWN_TOKEN_TTL = Duration.ofHours(1);

    private final Options options;
    private final Infrastructure infra;
    private final LocalKeyPair keys;
    private final Map<Service, ServiceProcess> services = new LinkedHashMap<>();
    private final Map<Service, Map<String, String>> environments = new LinkedHashMap<>();

    private LocalStack(Options options, Infrastructure infra) {
        this.options = options;
        this.infra = infra;
        // made on the first start and kept: tokens printed by ./shadowshift token stay valid across restarts
        this.keys = LocalKeyPair.ensure(keyFolder(options.workDir()));
    }

    /** Where the stack keeps its token key pair: {@code .shadowshift/jwt/} of the checkout. */
    public static Path keyFolder(Path workDir) {
        return workDir.resolve("jwt");
    }

    /** A bearer token the running services accept, signed with the stack's key. */
    public String token(Duration ttl, String... roles) {
        return Tokens.sign(keys.privateKey(), Tokens.LOCAL_ISSUER, Tokens.AUDIENCE, "shadowshift-up", List.of(roles), ttl);
    }

    /** {@code Bearer <token>} with these roles, valid for an hour. */
    public String bearer(String... roles) {
        return "Bearer " + token(OWN_TOKEN_TTL, roles);
    }

    public static LocalStack start(Options options, Consumer<String> say) throws Exception {
        long t0 = System.nanoTime();
        say.accept("starting Kafka and PostgreSQL");
        Infrastructure infra = Infrastructure.start(0);
        LocalStack stack = new LocalStack(options, infra);
        try {
            say.accept("Kafka      " + infra.kafka().description());
            say.accept("PostgreSQL " + infra.postgres().description());
            PostgresServer pg = infra.postgres();
            // the databases of deploy/postgres/init.sql, and its roles.sql: each service logs in as its own role
            for (Service s : Service.values()) {
                pg.createDatabase(s.stateDatabase);
                infra.roles().prepareStateDatabase(s.role(), s.stateDatabase);
            }
            pg.createDatabase(TARGET_DATABASE);
            infra.roles().prepareTargetDatabase(TARGET_DATABASE);
            say.accept(statementStatistics(pg));
            List<String> topics = new ArrayList<>(Topics.ALL);
            Topics.ALL.forEach(t -> topics.add(t + Topics.DEAD_LETTER_SUFFIX));
            infra.createTopics(topics, 3);
            stack.startServices(say);
            say.accept(String.format("all four services ready after %.1f s", (System.nanoTime() - t0) / 1e9));
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    /**
     * The monitor reads writers' latency and slow statements from pg_stat_statements: created in the target database
     * when the server preloads it (the embedded server and the container do; a server of the user's may not).
     */
    private static String statementStatistics(PostgresServer pg) {
        try (java.sql.Connection c = pg.connect(TARGET_DATABASE); java.sql.Statement s = c.createStatement()) {
            boolean preloaded;
            try (java.sql.ResultSet rs = s.executeQuery(
                    "SELECT current_setting('shared_preload_libraries') ~ '(^|[ ,])pg_stat_statements($|[ ,])'")) {
                preloaded = rs.next() && rs.getBoolean(1);
            }
            if (!preloaded) {
                return "pg_stat_statements is not in the server's shared_preload_libraries: slow_queries and "
                        + "migration_impact's writer latency stay blind";
            }
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            return "pg_stat_statements preloaded and created in " + TARGET_DATABASE;
        } catch (java.sql.SQLException e) {
            return "pg_stat_statements could not be created in " + TARGET_DATABASE + ": " + e.getMessage();
        }
    }

    private void startServices(Consumer<String> say) throws Exception {
        PostgresServer pg = infra.postgres();
        for (Service s : Service.values()) {
            int port = options.fixedPorts() ? s.defaultPort : freePort();
            Map<String, String> env = new HashMap<>();
            env.put("KAFKA_BOOTSTRAP_SERVERS", infra.kafka().bootstrapServers());
            env.put("SHADOWSHIFT_STATE_DB_URL", pg.jdbcUrl(s.stateDatabase));
            env.put("SHADOWSHIFT_STATE_DB_USER", s.role().role());
            env.put("SHADOWSHIFT_STATE_DB_PASSWORD", DatabaseRoles.password(s.role()));
            env.put("SHADOWSHIFT_TARGET_URL", pg.jdbcUrl(TARGET_DATABASE));
            env.put("SHADOWSHIFT_TARGET_USER", s.role().role());
            env.put("SHADOWSHIFT_TARGET_PASSWORD", DatabaseRoles.password(s.role()));
            env.put("SHADOWSHIFT_BACKUP_DIR", options.workDir().resolve("backups").toString());
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            // tokens from ./shadowshift token; reads stay open here (SHADOWSHIFT_AUTH_PROTECT_READS=true closes them)
            env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", keys.publicKeyFile().toString());
            env.put("MP_JWT_VERIFY_ISSUER", Tokens.LOCAL_ISSUER);
            env.put("MP_JWT_VERIFY_AUDIENCES", Tokens.AUDIENCE);
            // the API explorer, off in the prod profile the jars run in
            env.put("QUARKUS_SWAGGER_UI_ENABLE", "true");
            // where the monitor's alerts link to (generatorURL, runbook_url)
            env.put("SHADOWSHIFT_MONITOR_EXTERNAL_URL", "http://localhost:" + port);
            env.putAll(options.extraEnv());
            environments.put(s, env);
            services.put(s, launch(s, port, env, false));
        }
        say.accept("waiting for the services' readiness checks");
        ExecutorService pool = Executors.newFixedThreadPool(services.size());
        try {
            List<Future<?>> waits = new ArrayList<>();
            for (ServiceProcess p : services.values()) {
                waits.add(pool.submit(() -> {
                    p.awaitReady(Duration.ofSeconds(180));
                    say.accept(p.name() + " ready on " + p.url(""));
                    return null;
                }));
            }
            for (Future<?> f : waits) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private ServiceProcess launch(Service s, int port, Map<String, String> env, boolean restart) throws IOException {
        Path jar = options.repoRoot().resolve(s.module).resolve("target/quarkus-app/quarkus-run.jar");
        return ServiceProcess.start(s.module, jar, port, s.maxHeap, env, options.workDir().resolve("logs"), restart);
    }

    /**
     * Kills a service the hard way (SIGKILL, as a crash or an OOM killer would) and starts it again on the same port,
     * with extra settings on top of its usual ones, then waits until it is ready.
     */
    public void killAndRestart(Service service, Map<String, String> extraEnv) throws Exception {
        kill(service);
        start(service, extraEnv);
    }

    /** SIGKILL, as a crash or an OOM killer would; the service stays down until {@link #start}. */
    public void kill(Service service) {
        services.get(service).kill();
    }

    /**
     * Stops a service the clean way (it leaves its Kafka consumer groups, so its successor is assigned their
     * partitions at once rather than after the old member's session timeout), then starts it as {@link #start} does.
     */
    public void restart(Service service, Map<String, String> extraEnv) throws Exception {
        services.get(service).close();
        start(service, extraEnv);
    }

    /**
     * Starts a killed or stopped service again on the same port, with extra settings on top of its usual ones (the
     * extra settings of an earlier start do not carry over), then waits until it is ready.
     */
    public void start(Service service, Map<String, String> extraEnv) throws Exception {
        ServiceProcess old = services.get(service);
        if (old.alive()) {
            throw new IllegalStateException(service.module + " is still running: kill or restart it instead");
        }
        Map<String, String> env = new HashMap<>(environments.get(service));
        env.putAll(extraEnv);
        ServiceProcess restarted = launch(service, old.port(), env, true);
        services.put(service, restarted);
        restarted.awaitReady(Duration.ofSeconds(120));
    }

    public Infrastructure infrastructure() {
        return infra;
    }

    public String url(Service service, String path) {
        return services.get(service).url(path);
    }

    public String targetJdbcUrl() {
        return infra.postgres().jdbcUrl(TARGET_DATABASE);
    }

    public String logTail(Service service, int lines) {
        return services.get(service).tail(lines);
    }

    /** Stops the services first (they hold connections), then the servers this stack started. */
    @Override
    public void close() {
        List<ServiceProcess> running = new ArrayList<>(services.values());
        running.parallelStream().forEach(ServiceProcess::close);
        services.clear();
        infra.close();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
