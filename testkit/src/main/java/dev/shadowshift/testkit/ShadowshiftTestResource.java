package dev.shadowshift.testkit;

import dev.shadowshift.security.Tokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Points a Quarkus service under test at the JVM's shared Kafka broker and PostgreSQL server, with a fresh state
 * database and a fresh target database for each test application, so no test sees another's rows.
 *
 * <p>The test class can read the target's address as {@code shadowshift.targets.main.jdbc-url} from config.
 */
public class ShadowshiftTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Infrastructure infra = Infrastructure.shared();
        PostgresServer pg = infra.postgres();
        String stateDb = infra.freshDatabase("state");
        String targetDb = infra.freshDatabase("target");
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", infra.kafka().bootstrapServers());
        config.put("quarkus.datasource.jdbc.url", pg.jdbcUrl(stateDb));
        config.put("quarkus.datasource.username", pg.user());
        config.put("quarkus.datasource.password", pg.password());
        config.put("shadowshift.targets.main.jdbc-url", pg.jdbcUrl(targetDb));
        config.put("shadowshift.targets.main.username", pg.user());
        config.put("shadowshift.targets.main.password", pg.password());
        config.put("quarkus.devservices.enabled", "false");
        // tokens signed by TestTokens are the ones these services accept
        config.put("mp.jwt.verify.publickey.location", TestTokens.publicKeyFile().toUri().toString());
        config.put("mp.jwt.verify.issuer", Tokens.LOCAL_ISSUER);
        config.put("mp.jwt.verify.audiences", Tokens.AUDIENCE);
        return config;
    }

    @Override
    public void stop() {
        // the servers outlive this application: other test classes in this JVM use them too
    }
}
