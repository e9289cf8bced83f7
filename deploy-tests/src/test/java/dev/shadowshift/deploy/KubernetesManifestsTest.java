package dev.shadowshift.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** deploy/kubernetes rendered, checked as a platform engineer reviewing it would. */
class KubernetesManifestsTest {

    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(PASSWORD|SECRET|TOKEN|JAAS|CREDENTIAL).*");
    private final List<JsonNode> objects = Rendered.install();

    @ParameterizedTest
    @ValueSource(strings = {"deploy/kubernetes", "deploy/kubernetes/base", "deploy/kubernetes/overlays/dev",
            "deploy/kubernetes/overlays/prod"})
    void everyKustomizeRootRenders(String root) {
        assumeTrue(Rendered.kubectl().isPresent(), "kubectl is not installed: the overlays are not rendered");
        List<JsonNode> rendered = Rendered.kustomize(root);
        for (String service : Repo.SERVICES) {
            assertTrue(Rendered.named(rendered, "Deployment", service).isPresent(), root + " has no Deployment " + service);
        }
    }

    @Test
    void theDevOverlayBringsAOneNodeKafkaAndOneReplicaTopics() {
        assumeTrue(Rendered.kubectl().isPresent(), "kubectl is not installed: the overlays are not rendered");
        List<JsonNode> dev = Rendered.kustomize("deploy/kubernetes/overlays/dev");
        JsonNode kafka = Rendered.one(dev, "Kafka", "shadowshift");
        JsonNode listener = kafka.path("spec").path("kafka").path("listeners").get(0);
        assertEquals(9092, listener.path("port").asInt());
        assertEquals("scram-sha-512", listener.path("authentication").path("type").asText());
        assertEquals("simple", kafka.path("spec").path("kafka").path("authorization").path("type").asText());
        for (JsonNode topic : Rendered.ofKind(dev, "KafkaTopic")) {
            assertEquals(1, topic.path("spec").path("replicas").asInt(), topic.toString());
            assertEquals("1", topic.path("spec").path("config").path("min.insync.replicas").asText(), topic.toString());
        }
        Set<String> namespaces = new TreeSet<>();
        dev.forEach(o -> namespaces.add(o.path("metadata").path("namespace").asText()));
        assertEquals(Set.of("shadowshift"), namespaces, "every object of the dev overlay in one namespace");
    }

    @Test
    void everyServiceHasADeploymentServiceDisruptionBudgetAndServiceMonitor() {
        for (String service : Repo.SERVICES) {
            JsonNode deployment = Rendered.one(objects, "Deployment", service);
            JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
            JsonNode svc = Rendered.one(objects, "Service", service);
            assertSelects(svc.path("spec").path("selector"), podLabels, "Service " + service);
            assertEquals("http", svc.path("spec").path("ports").get(0).path("name").asText());
            JsonNode pdb = Rendered.one(objects, "PodDisruptionBudget", service);
            assertSelects(pdb.path("spec").path("selector").path("matchLabels"), podLabels, "PodDisruptionBudget " + service);
            int replicas = deployment.path("spec").path("replicas").asInt();
            if (replicas > 1) {
                assertEquals(replicas - 1, pdb.path("spec").path("minAvailable").asInt(), "a drain takes one replica at a time");
            } else {
                assertEquals(1, pdb.path("spec").path("maxUnavailable").asInt(), "a one-replica budget must not block drains");
                assertEquals("Recreate", deployment.path("spec").path("strategy").path("type").asText(),
                        service + " runs once: never two pods at a time");
            }
            JsonNode monitor = Rendered.one(objects, "ServiceMonitor", service);
            assertSelects(monitor.path("spec").path("selector").path("matchLabels"), svc.path("metadata").path("labels"),
                    "ServiceMonitor " + service);
            JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
            assertEquals("http", endpoint.path("port").asText());
            assertEquals("/q/metrics", endpoint.path("path").asText());
        }
    }

    @Test
    void containersProbeTheirHealthAndHaveRequestsAndLimits() {
        for (String service : Repo.SERVICES) {
            JsonNode c = container(service);
            assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText(), service);
            assertEquals("/q/health/live", c.path("livenessProbe").path("httpGet").path("path").asText(), service);
            assertEquals("/q/health/started", c.path("startupProbe").path("httpGet").path("path").asText(), service);
            for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                assertEquals("http", c.path(probe).path("httpGet").path("port").asText(), service + " " + probe);
            }
            assertEquals("http", c.path("ports").get(0).path("name").asText());
            int port = c.path("ports").get(0).path("containerPort").asInt();
            assertEquals(Repo.applicationProperties(service).getProperty("quarkus.http.port"), String.valueOf(port),
                    service + " listens where its application.properties say");
            for (String kind : List.of("requests", "limits")) {
                for (String resource : List.of("cpu", "memory")) {
                    assertFalse(c.path("resources").path(kind).path(resource).asText().isBlank(),
                            service + " has no " + kind + "." + resource);
                }
            }
            assertEquals(c.path("resources").path("requests").path("memory").asText(),
                    c.path("resources").path("limits").path("memory").asText(), service + ": a JVM's memory is not elastic");
        }
    }

    @Test
    void podsRunAsNonRootOnAReadOnlyRootFilesystemWithAnEmptyDirForTmp() {
        for (String service : Repo.SERVICES) {
            JsonNode pod = Rendered.one(objects, "Deployment", service).path("spec").path("template").path("spec");
            assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), service + " runAsNonRoot");
            assertEquals("RuntimeDefault", pod.path("securityContext").path("seccompProfile").path("type").asText());
            assertFalse(pod.path("automountServiceAccountToken").asBoolean(true), service + " needs no API token");
            JsonNode c = container(service);
            assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean(), service + " readOnlyRootFilesystem");
            assertFalse(c.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true), service);
            assertEquals("[\"ALL\"]", c.path("securityContext").path("capabilities").path("drop").toString(), service);
            String tmpVolume = null;
            for (JsonNode m : c.path("volumeMounts")) {
                if (m.path("mountPath").asText().equals("/tmp")) {
                    tmpVolume = m.path("name").asText();
                }
            }
            assertTrue(tmpVolume != null, service + " mounts nothing on /tmp");
            for (JsonNode v : pod.path("volumes")) {
                if (v.path("name").asText().equals(tmpVolume)) {
                    assertTrue(v.has("emptyDir"), service + ": /tmp is not an emptyDir");
                }
            }
        }
    }

    @Test
    void passwordsComeOnlyFromSecretsNeverAsLiterals() {
        assertTrue(Rendered.ofKind(objects, "Secret").isEmpty(), "no Secret with its value in the repository");
        for (String service : Repo.SERVICES) {
            for (JsonNode env : container(service).path("env")) {
                String name = env.path("name").asText();
                if (SECRET_NAME.matcher(name).matches()) {
                    assertFalse(env.has("value"), service + ": " + name + " is a literal");
                    assertTrue(env.path("valueFrom").has("secretKeyRef"), service + ": " + name + " is not from a Secret");
                }
            }
        }
        for (JsonNode cm : Rendered.ofKind(objects, "ConfigMap")) {
            cm.path("data").fields().forEachRemaining(e -> {
                assertFalse(SECRET_NAME.matcher(e.getKey()).matches(), "ConfigMap " + cm.path("metadata").path("name") + " holds " + e.getKey());
                assertFalse(e.getValue().asText().toLowerCase().matches("(?s).*password\\s*=\\s*\\S.*"),
                        "ConfigMap " + cm.path("metadata").path("name") + " has a password in " + e.getKey());
            });
        }
    }

    @Test
    void eachServiceGetsTheSettingsItsPropertiesRead() {
        JsonNode shared = Rendered.one(objects, "ConfigMap", "shadowshift-config").path("data");
        for (String service : Repo.SERVICES) {
            Set<String> provided = provided(service);
            String properties = Repo.read(service + "/src/main/resources/application.properties");
            Matcher m = Pattern.compile("\\$\\{((SHADOWSHIFT_(STATE_DB|TARGET)_[A-Z]+)|KAFKA_BOOTSTRAP_SERVERS)[:}]").matcher(properties);
            Set<String> read = new TreeSet<>();
            while (m.find()) {
                read.add(m.group(1));
            }
            assertEquals(7, read.size(), service + " reads " + read);
            for (String name : read) {
                assertTrue(provided.contains(name), service + " is not given " + name);
            }
            // the names agreed with the security work (JWT, SASL): set for every service
            for (String name : List.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "MP_JWT_VERIFY_ISSUER", "MP_JWT_VERIFY_AUDIENCES",
                    "SHADOWSHIFT_AUTH_PROTECT_READS", "KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_JAAS_CONFIG")) {
                assertTrue(provided.contains(name), service + " is not given " + name);
            }
            String role = "shadowshift_" + service.replaceAll("-(service|worker)$", "");
            JsonNode own = Rendered.one(objects, "ConfigMap", service + "-config").path("data");
            assertEquals(role, own.path("SHADOWSHIFT_STATE_DB_USER").asText(), service + " logs in as its own role");
            assertEquals(role, own.path("SHADOWSHIFT_TARGET_USER").asText(), service + " logs in to targets as its own role");
            assertTrue(own.path("SHADOWSHIFT_STATE_DB_URL").asText().endsWith("/" + role), service + " uses its own state database");
        }
        assertEquals("true", shared.path("SHADOWSHIFT_AUTH_PROTECT_READS").asText());
        assertEquals("SCRAM-SHA-512", shared.path("KAFKA_SASL_MECHANISM").asText());
        assertTrue(shared.path("KAFKA_SECURITY_PROTOCOL").asText().startsWith("SASL_"));
    }

    @Test
    void kafkaCredentialsAreTheServicesOwnKafkaUserSecret() {
        for (String service : Repo.SERVICES) {
            JsonNode ref = null;
            for (JsonNode env : container(service).path("env")) {
                if (env.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
                    ref = env.path("valueFrom").path("secretKeyRef");
                }
            }
            assertTrue(ref != null, service + " has no KAFKA_SASL_JAAS_CONFIG");
            assertEquals(service, ref.path("name").asText(), "Strimzi names the Secret after the KafkaUser");
            assertEquals("sasl.jaas.config", ref.path("key").asText());
            assertEquals("scram-sha-512", Rendered.one(objects, "KafkaUser", service).path("spec").path("authentication")
                    .path("type").asText());
        }
    }

    @Test
    void networkPoliciesLetEachServiceReachOnlyDnsKafkaAndPostgres() {
        JsonNode deny = Rendered.one(objects, "NetworkPolicy", "shadowshift-default-deny").path("spec");
        assertEquals("shadowshift", deny.path("podSelector").path("matchLabels").path("app.kubernetes.io/part-of").asText());
        assertEquals("[\"Ingress\",\"Egress\"]", deny.path("policyTypes").toString());
        assertFalse(deny.has("ingress") || deny.has("egress"), "the default policy allows nothing");
        for (String service : Repo.SERVICES) {
            JsonNode spec = Rendered.one(objects, "NetworkPolicy", service).path("spec");
            assertEquals(service, spec.path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText());
            assertEquals("[\"Ingress\",\"Egress\"]", spec.path("policyTypes").toString());
            for (JsonNode rule : spec.path("ingress")) {
                assertEquals("[{\"port\":\"http\"}]", rule.path("ports").toString(), service + " receives on its HTTP port only");
            }
            Set<Integer> ports = new HashSet<>();
            boolean dns = false;
            boolean kafka = false;
            boolean postgres = false;
            for (JsonNode rule : spec.path("egress")) {
                assertFalse(rule.path("to").isEmpty(), service + ": an egress rule without peers allows every address");
                assertFalse(rule.path("ports").isEmpty(), service + ": an egress rule without ports allows every port");
                Set<Integer> rulePorts = new HashSet<>();
                rule.path("ports").forEach(p -> rulePorts.add(p.path("port").asInt()));
                ports.addAll(rulePorts);
                String peers = rule.path("to").toString();
                dns |= rulePorts.contains(53) && peers.contains("kube-dns");
                kafka |= rulePorts.equals(Set.of(9092)) && peers.contains("\"strimzi.io/cluster\":\"shadowshift\"");
                postgres |= rulePorts.equals(Set.of(5432)) && peers.contains("shadowshift.dev/postgres");
                if (rulePorts.contains(9093)) {
                    assertEquals("monitor-service", service, "only the monitor posts to Alertmanager");
                    assertTrue(peers.contains("alertmanager"), peers);
                }
            }
            assertTrue(dns && kafka && postgres, service + " reaches DNS " + dns + ", Kafka " + kafka + ", PostgreSQL " + postgres);
            Set<Integer> allowed = service.equals("monitor-service") ? Set.of(53, 9092, 5432, 9093) : Set.of(53, 9092, 5432);
            assertEquals(allowed, ports, service + " reaches other ports");
        }
    }

    private JsonNode container(String service) {
        JsonNode containers = Rendered.one(objects, "Deployment", service).path("spec").path("template").path("spec").path("containers");
        assertEquals(1, containers.size(), service);
        return containers.get(0);
    }

    /** The env names a service's container gets: its env entries and the keys of the ConfigMaps it takes whole. */
    private Set<String> provided(String service) {
        Set<String> names = new TreeSet<>();
        JsonNode c = container(service);
        c.path("env").forEach(e -> names.add(e.path("name").asText()));
        for (JsonNode from : c.path("envFrom")) {
            String cm = from.path("configMapRef").path("name").asText();
            Rendered.one(objects, "ConfigMap", cm).path("data").fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    private static void assertSelects(JsonNode selector, JsonNode labels, String what) {
        if (selector.isEmpty()) {
            fail(what + " selects nothing");
        }
        selector.fields().forEachRemaining(e -> assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText(),
                what + " selects " + e.getKey() + "=" + e.getValue().asText()));
    }
}
