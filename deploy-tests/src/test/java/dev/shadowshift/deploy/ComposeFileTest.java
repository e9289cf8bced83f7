package dev.shadowshift.deploy;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** docker-compose.yml as it is meant to run on a developer's machine: loopback only, checked, restarted, bounded. */
class ComposeFileTest {

    private static final Pattern FROM_ENVIRONMENT = Pattern.compile("\\$\\{[A-Z_]+(:\\?[^}]*)?}");
    /** the passwords the file asks for; given to docker-compose through its environment, never its command line */
    private static final Map<String, String> PASSWORDS = Map.of("POSTGRES_PASSWORD", "p0", "SHADOWSHIFT_SCHEMA_DB_PASSWORD", "p1",
            "SHADOWSHIFT_MIGRATION_DB_PASSWORD", "p2", "SHADOWSHIFT_BACKUP_DB_PASSWORD", "p3", "SHADOWSHIFT_MONITOR_DB_PASSWORD", "p4");

    // SnakeYAML resolves the file's anchors and merge keys (<<) as docker-compose does
    private final Map<String, Object> compose = new Yaml().load(Repo.read("docker-compose.yml"));

    @Test
    void portsListenOnLoopbackOnly() {
        services().forEach((name, s) -> {
            for (Object port : list(s.get("ports"))) {
                assertTrue(port.toString().startsWith("127.0.0.1:"), name + " publishes " + port + " on every interface");
            }
        });
    }

    @Test
    void everyContainerRestartsHasAMemoryLimitAndAHealthCheck() {
        services().forEach((name, s) -> {
            assertEquals("unless-stopped", s.get("restart"), name);
            assertTrue(s.get("mem_limit") != null, name + " has no memory limit");
            Map<String, Object> health = map(s.get("healthcheck"));
            assertTrue(!list(health.get("test")).isEmpty(), name + " has no health check");
        });
        Set<String> expected = new TreeSet<>(Repo.SERVICES);
        expected.addAll(List.of("kafka", "postgres"));
        assertEquals(expected, new TreeSet<>(services().keySet()));
    }

    @Test
    void servicesCheckTheirReadinessAndPostgresItsTcpPort() {
        for (String service : Repo.SERVICES) {
            String test = String.join(" ", list(map(services().get(service).get("healthcheck")).get("test")).stream().map(Object::toString).toList());
            String port = Repo.applicationProperties(service).getProperty("quarkus.http.port");
            assertTrue(test.contains("http://localhost:" + port + "/q/health/ready"), service + ": " + test);
            assertTrue(test.contains("curl"), service + ": " + test);
        }
        assertTrue(Repo.read("deploy/Dockerfile").matches("(?s).*apt-get install[^\\n]*\\bcurl\\b.*"),
                "the images must carry curl for the health checks");
        String pg = String.join(" ", list(map(services().get("postgres").get("healthcheck")).get("test")).stream().map(Object::toString).toList());
        assertTrue(pg.contains("pg_isready") && pg.contains("-h localhost"), "PostgreSQL's check must use TCP: " + pg);
    }

    @Test
    void servicesStartOnceKafkaAndPostgresAreHealthy() {
        for (String service : Repo.SERVICES) {
            Map<String, Object> deps = map(services().get(service).get("depends_on"));
            for (String dep : List.of("kafka", "postgres")) {
                assertEquals("service_healthy", map(deps.get(dep)).get("condition"), service + " -> " + dep);
            }
        }
    }

    @Test
    void eachServiceLogsInAsItsOwnRoleWithAPasswordFromTheEnvironment() {
        String roles = Repo.read("deploy/postgres/roles.sql");
        services().forEach((name, s) -> map(s.get("environment")).forEach((k, v) -> {
            if (k.contains("PASSWORD")) {
                assertTrue(FROM_ENVIRONMENT.matcher(String.valueOf(v)).matches(), name + ": " + k + " is a literal");
            }
        }));
        for (String service : Repo.SERVICES) {
            Map<String, Object> env = map(services().get(service).get("environment"));
            String role = "shadowshift_" + service.replaceAll("-(service|worker)$", "");
            assertEquals(role, env.get("SHADOWSHIFT_STATE_DB_USER"), service);
            assertEquals(role, env.get("SHADOWSHIFT_TARGET_USER"), service);
            assertTrue(String.valueOf(env.get("SHADOWSHIFT_STATE_DB_URL")).endsWith("/" + role), service + " uses its own database");
            assertTrue(roles.contains("CREATE ROLE " + role + " "), "roles.sql does not create " + role);
        }
        List<Object> mounts = list(services().get("postgres").get("volumes"));
        assertTrue(mounts.stream().anyMatch(m -> m.toString().contains("deploy/postgres/roles.sql")), mounts.toString());
        assertTrue(mounts.stream().anyMatch(m -> m.toString().endsWith("/docker-entrypoint-initdb.d/20-roles.sh:ro")), mounts.toString());
    }

    @Test
    void dockerComposeAcceptsTheFile() {
        var binary = Repo.onPath("docker-compose");
        assumeTrue(binary.isPresent(), "docker-compose is not installed (Debian package docker-compose)");
        Repo.Run run = Repo.run(Repo.ROOT, PASSWORDS, Duration.ofSeconds(60), binary.get().toString(), "-f", "docker-compose.yml", "config", "-q");
        assertEquals(0, run.exit(), run.output());
    }

    private Map<String, Map<String, Object>> services() {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        return services;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : o instanceof List<?> l ? (List<Object>) l : List.of(o);
    }
}
