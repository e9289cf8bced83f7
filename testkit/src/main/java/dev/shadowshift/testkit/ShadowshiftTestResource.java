package dev.shadowshift.testkit;

import dev.shadowshift.security.Tokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Points a Quarkus service under test at the JVM's shared Kafka broker and PostgreSQL server, with a fresh state
 * database and a fresh target database for each test application, so no test sees another's rows.
 *
 * <p>The service logs in to both as its own role from {@code deploy/postgres/roles.sql}, never as a superuser: the
 * state database is its role's, the target is shadowshift_migration's as in a deployment. Which service: the init
 * argument {@code service} ({@code @WithTestResource(value = ShadowshiftTestResource.class, initArgs =
 * @ResourceArg(name = "service", value = "migration-worker"))}), else the system property
 * {@value #SERVICE_PROPERTY}, which each service module's surefire configuration sets.
 *
 * <p>The test class can read the target's address as {@code shadowshift.targets.main.jdbc-url} from config, and
 * creates its fixtures there through {@link TargetFixtures}.
 */
public class ShadowshiftTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String SERVICE_PROPERTY = "shadowshift.test.service";

    private DatabaseRoles.Service service;

    @Override
    public void init(Map<String, String> initArgs) {
        service = serviceNamed(initArgs.get("service"));
    }

    @Override
    public Map<String, String> start() {
        if (service == null) {
            // a subclass's init (SecuredKafkaTestResource) takes its own arguments: the module's default then
            service = serviceNamed(null);
        }
        Infrastructure infra = Infrastructure.shared();
        PostgresServer pg = infra.postgres();
        String stateDb = infra.freshStateDatabase(service);
        String targetDb = infra.freshTargetDatabase();
        String password = DatabaseRoles.password(service);
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", infra.kafka().bootstrapServers());
        config.put("quarkus.datasource.jdbc.url", pg.jdbcUrl(stateDb));
        config.put("quarkus.datasource.username", service.role());
        config.put("quarkus.datasource.password", password);
        config.put("shadowshift.targets.main.jdbc-url", pg.jdbcUrl(targetDb));
        config.put("shadowshift.targets.main.username", service.role());
        config.put("shadowshift.targets.main.password", password);
        config.put("quarkus.devservices.enabled", "false");
        // tokens signed by TestTokens are the ones these services accept
        config.put("mp.jwt.verify.publickey.location", TestTokens.publicKeyFile().toUri().toString());
        config.put("mp.jwt.verify.issuer", Tokens.LOCAL_ISSUER);
        config.put("mp.jwt.verify.audiences", Tokens.AUDIENCE);
        return config;
    }

    private static DatabaseRoles.Service serviceNamed(String name) {
        String chosen = name != null ? name : System.getProperty(SERVICE_PROPERTY);
        if (chosen == null || chosen.isBlank()) {
            throw new IllegalStateException("ShadowshiftTestResource: say which service runs (init argument \"service\" "
                    + "or the system property " + SERVICE_PROPERTY + "), so that it logs in as that service's role");
        }
        return DatabaseRoles.Service.named(chosen.strip());
    }

    @Override
    public void stop() {
        // the servers outlive this application: other test classes in this JVM use them too
    }
}
