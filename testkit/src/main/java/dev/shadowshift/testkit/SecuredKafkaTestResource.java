package dev.shadowshift.testkit;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.HashMap;
import java.util.Map;

/**
 * Like {@link ShadowshiftTestResource}, but the service under test gets a {@link SecuredKafka} of its own, started
 * for the test class and stopped after it, and reaches it only through the standard Kafka client settings
 * ({@code kafka.security.protocol}, {@code kafka.sasl.mechanism}, {@code kafka.sasl.jaas.config}: what the
 * {@code KAFKA_*} environment variables of the deployment set) as the principal named by the {@value #PRINCIPAL}
 * init argument.
 *
 * <p>The test reaches the same broker as any seeded principal or as the super user through {@link #clientConfig}.
 */
public class SecuredKafkaTestResource extends ShadowshiftTestResource {

    public static final String PRINCIPAL = "principal";
    public static final String ADMIN = "admin";
    /** Outside the services' own prefixes, whose config mappings refuse keys they do not know. */
    private static final String PREFIX = "securedkafka.";

    private String principal;
    private SecuredKafka kafka;

    @Override
    public void init(Map<String, String> initArgs) {
        principal = initArgs.get(PRINCIPAL);
        if (principal == null) {
            throw new IllegalArgumentException("name the service's principal, e.g. @ResourceArg(name = \"principal\", value = \"User:schema-service\")");
        }
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        kafka = SecuredKafka.start();
        config.putAll(kafka.serviceSettings(principal));
        kafka.adminConfig().forEach((k, v) -> config.put(PREFIX + ADMIN + "." + k, v.toString()));
        for (String p : kafka.principals()) {
            String user = p.substring("User:".length());
            kafka.clientConfig(p).forEach((k, v) -> config.put(PREFIX + user + "." + k, v.toString()));
        }
        return config;
    }

    /** The client settings of a seeded user ({@code schema-service}, {@code spec-publisher}, ...) or of {@value #ADMIN}. */
    public static Map<String, Object> clientConfig(String user) {
        Config config = ConfigProvider.getConfig();
        String prefix = PREFIX + user + ".";
        Map<String, Object> out = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(prefix)) {
                out.put(name.substring(prefix.length()), config.getValue(name, String.class));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no Kafka user " + user + " on the secured broker");
        }
        return out;
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
        super.stop();
    }
}
