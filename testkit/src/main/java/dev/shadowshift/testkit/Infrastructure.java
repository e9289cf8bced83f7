package dev.shadowshift.testkit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * One Kafka broker and one PostgreSQL server for this JVM, started on first use and stopped at exit.
 *
 * <p>Where they come from, first match wins:
 * <ol>
 *   <li>{@code SHADOWSHIFT_KAFKA_BOOTSTRAP_SERVERS} / {@code SHADOWSHIFT_PG_URL} name servers someone already runs;</li>
 *   <li>a reachable Docker engine runs them as Testcontainers;</li>
 *   <li>otherwise a KRaft broker and a PostgreSQL 15 start from Maven artifacts inside this JVM.</li>
 * </ol>
 * {@code SHADOWSHIFT_INFRA=embedded} skips the Docker probe.
 *
 * <p>Once started, the addresses are kept in system properties too, so that a second class loader in the same JVM
 * (Quarkus tests have several) reuses these servers instead of starting its own.
 */
public final class Infrastructure {

    public static final String KAFKA_ENV = "SHADOWSHIFT_KAFKA_BOOTSTRAP_SERVERS";
    public static final String PG_ENV = "SHADOWSHIFT_PG_URL";
    private static final String KAFKA_PROP = "shadowshift.infra.kafka";
    private static final String PG_PROP = "shadowshift.infra.pg";
    private static final Logger LOG = Logger.getLogger(Infrastructure.class.getName());

    private static Infrastructure shared;

    private final KafkaBroker kafka;
    private final PostgresServer postgres;
    private DatabaseRoles roles;

    private Infrastructure(KafkaBroker kafka, PostgresServer postgres) {
        this.kafka = kafka;
        this.postgres = postgres;
    }

    public static synchronized Infrastructure shared() {
        if (shared == null) {
            shared = start(0);
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "shadowshift-infra-stop"));
        }
        return shared;
    }

    /**
     * Starts (or finds) both servers.
     *
     * @param pgPort the port for an embedded PostgreSQL, 0 for any free port
     */
    public static Infrastructure start(int pgPort) {
        String mode = setting("SHADOWSHIFT_INFRA", "auto").toLowerCase(Locale.ROOT);
        String kafkaAddress = firstNonBlank(System.getProperty(KAFKA_PROP), setting(KAFKA_ENV, null));
        String pgAddress = firstNonBlank(System.getProperty(PG_PROP), setting(PG_ENV, null));
        String origin = System.getProperty(KAFKA_PROP) != null ? " (started earlier in this JVM, reused)" : " (named by the environment)";
        boolean docker = (kafkaAddress == null || pgAddress == null) && !mode.equals("embedded")
                && ContainerServers.dockerAvailable();

        long t0 = System.nanoTime();
        KafkaBroker kafka = kafkaAddress != null ? ExternalServers.kafka(kafkaAddress, origin)
                : docker ? ContainerServers.kafka() : EmbeddedKafka.start();
        LOG.info("Kafka: " + kafka.description() + " (ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        long t1 = System.nanoTime();
        PostgresServer postgres = pgAddress != null ? ExternalServers.postgres(pgAddress, origin)
                : docker ? ContainerServers.postgres() : EmbeddedPostgresServer.start(pgPort);
        LOG.info("PostgreSQL: " + postgres.description() + " (ready in " + (System.nanoTime() - t1) / 1_000_000 + " ms)");

        System.setProperty(KAFKA_PROP, kafka.bootstrapServers());
        System.setProperty(PG_PROP, "postgresql://" + postgres.user()
                + (postgres.password().isEmpty() ? "" : ":" + postgres.password())
                + "@" + postgres.host() + ":" + postgres.port());
        return new Infrastructure(kafka, postgres);
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public PostgresServer postgres() {
        return postgres;
    }

    /** The services' roles on this server (deploy/postgres/roles.sql), created on first use. */
    public DatabaseRoles roles() {
        synchronized (this) {
            if (roles == null) {
                roles = DatabaseRoles.on(postgres);
            }
            return roles;
        }
    }

    /** A new state database for a service: its role owns it and only it may connect, as in a deployment. */
    public String freshStateDatabase(DatabaseRoles.Service service) {
        String name = freshDatabase("state");
        roles().prepareStateDatabase(service, name);
        return name;
    }

    /**
     * A new target database as a deployment has it: owned by shadowshift_migration, with roles.sql's grants. Fixtures
     * go in as {@link DatabaseRoles#TARGET_OWNER}, so that migration-worker may alter them.
     */
    public String freshTargetDatabase() {
        String name = freshDatabase("target");
        roles().prepareTargetDatabase(name);
        return name;
    }

    /** A new, empty database with a unique name, for one test's isolation (owned by the server's superuser). */
    public String freshDatabase(String prefix) {
        String name = uniqueName(prefix);
        postgres.createDatabase(name);
        return name;
    }

    /** A unique database name not created yet, e.g. for a restore, which makes its own database. */
    public static String uniqueName(String prefix) {
        return (prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10)).toLowerCase(Locale.ROOT);
    }

    /** Creates the topics that do not exist yet. */
    public void createTopics(Collection<String> topics, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, partitions, (short) 1)).collect(Collectors.toList());
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topics " + topics + ": " + e.getCause().getMessage(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void close() {
        kafka.close();
        postgres.close();
    }

    private static String setting(String env, String fallback) {
        String value = System.getenv(env);
        return value == null || value.isBlank() ? System.getProperty(env, fallback) : value;
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : (b != null && !b.isBlank() ? b : null);
    }
}
