package dev.shadowshift.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Strimzi KafkaTopics and KafkaUsers against the AsyncAPI document and what each service consumes and produces. */
class KafkaResourcesTest {

    private static final long MAX_EVENT_BYTES = 16 * 1024 * 1024;
    private final List<JsonNode> objects = Rendered.install();

    @Test
    void everyTopicOfTheContractHasAKafkaTopicAndEveryConsumedOneItsDlq() {
        Set<String> topics = kafkaTopics();
        Set<String> contract = asyncApiAddresses();
        assertEquals(contract, topics, "KafkaTopics against the AsyncAPI document's channels");
        for (String service : Repo.SERVICES) {
            for (String consumed : ServiceKafka.of(service).consumed()) {
                assertTrue(topics.contains(consumed + ".dlq"), service + " consumes " + consumed + ", which has no .dlq topic");
            }
        }
    }

    @Test
    void eachConsumerSendsWhatItRefusesToItsTopicsDlq() {
        for (String service : Repo.SERVICES) {
            ServiceKafka kafka = ServiceKafka.of(service);
            for (String key : kafka.props().stringPropertyNames()) {
                if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".topic") && !key.endsWith("dead-letter-queue.topic")) {
                    String channel = key.substring(0, key.length() - ".topic".length());
                    assertEquals("dead-letter-queue", kafka.props().getProperty(channel + ".failure-strategy"), key);
                    assertEquals(kafka.props().getProperty(key) + ".dlq", kafka.props().getProperty(channel + ".dead-letter-queue.topic"), key);
                }
            }
        }
    }

    @Test
    void topicsSayTheirPartitionsReplicationAndRetention() {
        for (JsonNode topic : Rendered.ofKind(objects, "KafkaTopic")) {
            String name = topic.path("metadata").path("name").asText();
            JsonNode spec = topic.path("spec");
            assertEquals("shadowshift", topic.path("metadata").path("labels").path("strimzi.io/cluster").asText(), name);
            assertTrue(spec.path("partitions").asInt() >= 1, name);
            int replicas = spec.path("replicas").asInt();
            assertEquals(3, replicas, name + ": the base survives one broker down");
            assertEquals(replicas - 1, spec.path("config").path("min.insync.replicas").asInt(), name);
            long retention = spec.path("config").path("retention.ms").asLong();
            long days = name.endsWith(".dlq") ? 30 : 7;
            assertEquals(days * 24 * 3600 * 1000, retention, name);
            assertTrue(spec.path("config").path("max.message.bytes").asLong() >= MAX_EVENT_BYTES,
                    name + " must take the events the services may send (16 MiB)");
        }
        for (String service : Repo.SERVICES) {
            ServiceKafka.of(service).props().forEach((k, v) -> {
                if (k.toString().endsWith("max.request.size")) {
                    assertTrue(Long.parseLong(v.toString()) <= MAX_EVENT_BYTES, service + " " + k + " is above the topics' limit");
                }
            });
        }
    }

    @Test
    void eachKafkaUserHasExactlyTheAclsItsServiceNeeds() {
        Set<String> users = new TreeSet<>(Repo.SERVICES);
        users.add("spec-publisher");
        assertEquals(users, names("KafkaUser"), "one KafkaUser per service, named as the service, and one for upstream publishers");
        for (String service : users) {
            JsonNode spec = Rendered.one(objects, "KafkaUser", service).path("spec");
            assertEquals("scram-sha-512", spec.path("authentication").path("type").asText());
            assertEquals("simple", spec.path("authorization").path("type").asText());
            Set<String> acls = new TreeSet<>();
            for (JsonNode acl : spec.path("authorization").path("acls")) {
                JsonNode resource = acl.path("resource");
                assertEquals("literal", resource.path("patternType").asText(), service + ": no prefix or wildcard ACLs");
                for (JsonNode op : acl.path("operations")) {
                    acls.add(resource.path("type").asText() + ":" + resource.path("name").asText() + ":" + op.asText());
                }
            }
            // an upstream publisher only submits specs
            Set<String> needed = service.equals("spec-publisher") ? Set.of("topic:spec-submitted:Write")
                    : ServiceKafka.of(service).neededAcls();
            assertEquals(needed, acls, service + "'s ACLs against its application.properties");
        }
    }

    /**
     * acks=all and idempotence come from the security module's shared config (the connector's own default is acks=1),
     * and no service weakens them: an acknowledged event is on every in-sync replica, once. SaslKafkaTest shows it on a
     * running schema-service; this holds the other services to the same settings.
     */
    @Test
    void everyServiceProducesWithAcksAllAndIdempotence() throws Exception {
        java.util.Properties shared = new java.util.Properties();
        shared.load(new java.io.StringReader(Repo.read("security/src/main/resources/META-INF/microprofile-config.properties")));
        assertEquals("all", shared.getProperty("kafka.acks"));
        assertEquals("true", shared.getProperty("kafka.enable.idempotence"));
        for (String service : Repo.SERVICES) {
            assertTrue(Repo.read(service + "/pom.xml").contains("<artifactId>security</artifactId>"), service + " takes the shared config");
            java.util.Properties props = new java.util.Properties();
            props.load(new java.io.StringReader(Repo.read(service + "/src/main/resources/application.properties")));
            for (String key : props.stringPropertyNames()) {
                String value = props.getProperty(key).trim();
                String where = service + ": " + key + "=" + value;
                if (key.endsWith(".acks")) {
                    assertTrue(value.equals("all") || value.equals("-1"), where);
                } else if (key.endsWith(".enable.idempotence")) {
                    assertEquals("true", value, where);
                } else if (key.endsWith(".retries")) {
                    assertTrue(Long.parseLong(value) > 0, where);
                } else if (key.endsWith(".max.in.flight.requests.per.connection")) {
                    assertTrue(Integer.parseInt(value) <= 5, where + " (idempotence allows at most 5)");
                }
            }
        }
    }

    @Test
    void servicesConsumeAndProduceWhatTheAsyncApiDocumentSays() {
        Map<String, Set<String>> consumes = new TreeMap<>();
        Map<String, Set<String>> produces = new TreeMap<>();
        JsonNode doc = asyncApi();
        Map<String, String> channelAddress = new HashMap<>();
        doc.path("channels").fields().forEachRemaining(e -> channelAddress.put("#/channels/" + e.getKey(), e.getValue().path("address").asText()));
        doc.path("operations").forEach(op -> {
            String topic = channelAddress.get(op.path("channel").path("$ref").asText());
            // "Consumed by migration-worker (the plan's gate), monitor-service (...)": the services it names
            String who = op.path("summary").asText().replaceAll("\\([^)]*\\)", "");
            for (String service : Repo.SERVICES) {
                if (who.matches("(?s).*\\b" + service + "\\b.*")) {
                    (op.path("action").asText().equals("receive") ? consumes : produces)
                            .computeIfAbsent(service, s -> new TreeSet<>()).add(topic);
                }
            }
        });
        for (String service : Repo.SERVICES) {
            ServiceKafka kafka = ServiceKafka.of(service);
            assertEquals(consumes.getOrDefault(service, Set.of()), kafka.consumed(), service + " consumes");
            assertEquals(produces.getOrDefault(service, Set.of()), kafka.produced(), service + " produces");
        }
    }

    private Set<String> kafkaTopics() {
        Set<String> topics = new TreeSet<>();
        for (JsonNode t : Rendered.ofKind(objects, "KafkaTopic")) {
            topics.add(t.path("spec").path("topicName").asText(t.path("metadata").path("name").asText()));
        }
        return topics;
    }

    private Set<String> names(String kind) {
        Set<String> names = new TreeSet<>();
        Rendered.ofKind(objects, kind).forEach(o -> names.add(o.path("metadata").path("name").asText()));
        return names;
    }

    private static JsonNode asyncApi() {
        return Repo.documents(Repo.read("event-contracts/src/main/resources/asyncapi.yaml")).get(0);
    }

    private static Set<String> asyncApiAddresses() {
        Set<String> addresses = new TreeSet<>();
        asyncApi().path("channels").forEach(c -> addresses.add(c.path("address").asText()));
        assertTrue(addresses.size() >= 14, "the AsyncAPI document lists " + addresses);
        return addresses;
    }
}
