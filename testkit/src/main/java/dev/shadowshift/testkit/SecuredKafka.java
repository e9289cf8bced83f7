package dev.shadowshift.testkit;

import dev.shadowshift.contracts.KafkaAccess;
import dev.shadowshift.contracts.Topics;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A KRaft broker of its own that, like the deployed cluster, lets nobody in without a SASL login and lets each
 * service do only what {@link KafkaAccess#GRANTS} allows: clients log in with SCRAM-SHA-512 as the users
 * deploy/kubernetes/base/kafka-users.yaml declares, the StandardAuthorizer denies whatever no ACL allows, the topics
 * exist beforehand and nobody may create one.
 *
 * <p>Separate from the JVM's shared broker; start it once per test class and close it after. Listeners:
 * <ul>
 *   <li>{@code CLIENTS}, SASL_PLAINTEXT with SCRAM-SHA-512 only: what the services and the tests' clients use;</li>
 *   <li>{@code INTERNAL}, SASL_PLAINTEXT with PLAIN: the inter-broker listener and the super user {@code admin} that
 *   seeds users, topics and ACLs (SCRAM users live in the metadata log, so the first login cannot be SCRAM);</li>
 *   <li>{@code CONTROLLER}, SASL_PLAINTEXT with PLAIN: the broker reaches the controller as {@code admin}, so an
 *   anonymous client cannot talk to the controller either.</li>
 * </ul>
 * Passwords are random per start and stay in memory.
 */
public final class SecuredKafka implements KafkaBroker {

    public static final String MECHANISM = "SCRAM-SHA-512";
    public static final String SUPER_USER = "User:admin";

    private static final String CLIENTS = "CLIENTS";
    private static final String INTERNAL = "INTERNAL";
    private static final String CONTROLLER = "CONTROLLER";
    private static final int PARTITIONS = 3;

    private final KafkaClusterTestKit cluster;
    private final String adminPassword;
    private final Map<String, String> passwords;

    private SecuredKafka(KafkaClusterTestKit cluster, String adminPassword, Map<String, String> passwords) {
        this.cluster = cluster;
        this.adminPassword = adminPassword;
        this.passwords = passwords;
    }

    /** Starts the broker and seeds one SCRAM user per principal of {@link KafkaAccess#GRANTS}, the topics and the ACLs. */
    public static SecuredKafka start() {
        String adminPassword = secret();
        KafkaClusterTestKit cluster = null;
        try {
            cluster = startBroker(adminPassword);
            Map<String, String> passwords = new LinkedHashMap<>();
            for (KafkaAccess.Grant g : KafkaAccess.GRANTS) {
                passwords.computeIfAbsent(g.principal(), p -> secret());
            }
            SecuredKafka kafka = new SecuredKafka(cluster, adminPassword, passwords);
            kafka.seed();
            return kafka;
        } catch (Exception e) {
            if (cluster != null) {
                closeQuietly(cluster);
            }
            throw new IllegalStateException("cannot start the SASL Kafka broker: " + e.getMessage(), e);
        }
    }

    private static KafkaClusterTestKit startBroker(String adminPassword) throws Exception {
        Path dir = Files.createTempDirectory("shadowshift-kafka-sasl-");
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\""
                + adminPassword + "\" user_admin=\"" + adminPassword + "\";";
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(dir)
                .setBrokerListenerName(new ListenerName(CLIENTS))
                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .setControllerListenerName(new ListenerName(CONTROLLER))
                .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .build())
                .setConfigProp("listeners", CLIENTS + "://localhost:0," + INTERNAL + "://localhost:0," + CONTROLLER + "://localhost:0")
                .setConfigProp("listener.security.protocol.map",
                        CLIENTS + ":SASL_PLAINTEXT," + INTERNAL + ":SASL_PLAINTEXT," + CONTROLLER + ":SASL_PLAINTEXT")
                .setConfigProp("inter.broker.listener.name", INTERNAL)
                // SCRAM-SHA-512 is what clients may use; the two admin listeners override it with PLAIN
                .setConfigProp("sasl.enabled.mechanisms", MECHANISM)
                .setConfigProp("listener.name.clients.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .setConfigProp("listener.name.internal.sasl.enabled.mechanisms", "PLAIN")
                .setConfigProp("listener.name.internal.plain.sasl.jaas.config", plain)
                .setConfigProp("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .setConfigProp("listener.name.controller.sasl.enabled.mechanisms", "PLAIN")
                .setConfigProp("listener.name.controller.plain.sasl.jaas.config", plain)
                .setConfigProp("sasl.mechanism.controller.protocol", "PLAIN")
                .setConfigProp("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .setConfigProp("super.users", SUPER_USER)
                .setConfigProp("allow.everyone.if.no.acl.found", "false")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("num.partitions", Integer.toString(PARTITIONS))
                .setConfigProp("message.max.bytes", "16777216")
                .setConfigProp("replica.fetch.max.bytes", "16777216")
                .setDeleteOnClose(true)
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return cluster;
        } catch (Exception e) {
            closeQuietly(cluster);
            throw e;
        }
    }

    /** Users, then topics (the deployed KafkaTopics), then the ACLs; returns once the broker enforces all three. */
    private void seed() throws Exception {
        try (Admin admin = Admin.create(adminConfig())) {
            List<UserScramCredentialAlteration> users = new ArrayList<>();
            passwords.forEach((principal, password) -> users.add(new UserScramCredentialUpsertion(user(principal),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)));
            admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);

            List<NewTopic> topics = new ArrayList<>();
            for (String topic : Topics.ALL) {
                topics.add(new NewTopic(topic, PARTITIONS, (short) 1));
                topics.add(new NewTopic(topic + Topics.DEAD_LETTER_SUFFIX, PARTITIONS, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);

            List<AclBinding> acls = KafkaAccess.GRANTS.stream().map(SecuredKafka::binding).toList();
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);

            // the broker learns users and ACLs from the metadata log a moment after the controller commits them
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (admin.describeAcls(AclBindingFilter.ANY).values().get().size() < acls.size()) {
                pause(deadline, "the broker to load " + acls.size() + " ACLs");
            }
        }
        for (String principal : passwords.keySet()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!canLogIn(principal)) {
                pause(deadline, "the broker to accept the SCRAM login of " + principal);
            }
        }
    }

    private boolean canLogIn(String principal) throws Exception {
        try (Admin admin = Admin.create(clientConfig(principal))) {
            admin.describeCluster().clusterId().get();
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SaslAuthenticationException) {
                return false;
            }
            throw e;
        }
    }

    private static AclBinding binding(KafkaAccess.Grant g) {
        ResourceType type = switch (g.resource()) {
            case TOPIC -> ResourceType.TOPIC;
            case GROUP -> ResourceType.GROUP;
        };
        AclOperation op = switch (g.operation()) {
            case READ -> AclOperation.READ;
            case WRITE -> AclOperation.WRITE;
        };
        return new AclBinding(new ResourcePattern(type, g.name(), PatternType.LITERAL),
                new AccessControlEntry(g.principal(), "*", op, AclPermissionType.ALLOW));
    }

    /** The address of the SASL client listener. */
    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public String description() {
        return "embedded Kafka 4.1.1 KRaft broker with SASL (" + MECHANISM + ") and ACLs at " + bootstrapServers();
    }

    /** The principals that have a user here: every principal of {@link KafkaAccess#GRANTS}. */
    public List<String> principals() {
        return List.copyOf(passwords.keySet());
    }

    /**
     * What a service configured with {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM} and
     * {@code KAFKA_SASL_JAAS_CONFIG} hands its Kafka clients: the same three client settings, plus the address.
     */
    public Map<String, Object> clientConfig(String principal) {
        String password = passwords.get(principal);
        if (password == null) {
            throw new IllegalArgumentException(principal + " has no user on this broker; known: " + passwords.keySet());
        }
        return login(user(principal), password);
    }

    /** A login as a known user with a password that is not its own. */
    public Map<String, Object> wrongPasswordConfig(String principal) {
        clientConfig(principal);
        return login(user(principal), secret());
    }

    /** The address alone: what a client without any Kafka security settings uses. */
    public Map<String, Object> noCredentialsConfig() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }

    /**
     * The settings a Quarkus service takes for this principal, under the names its {@code KAFKA_*} environment
     * variables map to ({@code kafka.security.protocol}, {@code kafka.sasl.mechanism}, {@code kafka.sasl.jaas.config}).
     */
    public Map<String, String> serviceSettings(String principal) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.bootstrap.servers", bootstrapServers());
        clientConfig(principal).forEach((k, v) -> {
            if (!k.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                settings.put("kafka." + k, v.toString());
            }
        });
        return settings;
    }

    /** The super user over the internal listener: to look at what the services did, whatever the ACLs. */
    public Map<String, Object> adminConfig() {
        int port = cluster.brokers().values().iterator().next().boundPort(new ListenerName(INTERNAL));
        return Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port,
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_PLAINTEXT.name,
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\""
                        + adminPassword + "\";");
    }

    private Map<String, Object> login(String user, String password) {
        return Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_PLAINTEXT.name,
                SaslConfigs.SASL_MECHANISM, MECHANISM,
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    private static String user(String principal) {
        if (!principal.startsWith("User:")) {
            throw new IllegalArgumentException("not a User: principal: " + principal);
        }
        return principal.substring("User:".length());
    }

    private static String secret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void pause(long deadline, String what) throws InterruptedException {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("gave up waiting for " + what);
        }
        Thread.sleep(50);
    }

    @Override
    public void close() {
        closeQuietly(cluster);
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        try {
            cluster.close();
        } catch (Exception ignored) {
            // shutting down: nothing left to protect
        }
    }
}
