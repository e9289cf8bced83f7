package dev.shadowshift.schema.api;

import dev.shadowshift.contracts.KafkaAccess;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.SecuredKafkaTestResource;
import dev.shadowshift.testkit.TestTokens;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * schema-service on a broker secured like the deployed one (SASL SCRAM-SHA-512, the ACLs of {@link KafkaAccess}),
 * configured only through its standard Kafka settings: it logs in as its own principal, publishes its spec-changed,
 * dead-letters what it refuses, and every producer it runs is idempotent with acks=all.
 */
@QuarkusTest
@WithTestResource(value = SecuredKafkaTestResource.class,
        initArgs = @ResourceArg(name = SecuredKafkaTestResource.PRINCIPAL, value = KafkaAccess.SCHEMA_SERVICE))
class SaslKafkaTest {

    static final String SPEC = """
            {"openapi": "3.0.3", "info": {"title": "pets", "version": "1"}, "paths": {},
             "components": {"schemas": {"Pet": {"type": "object", "required": ["id"],
               "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}}}}
            """;

    @Inject
    KafkaClientService clients;

    @Test
    void itsSpecChangedProducerLogsInAsSchemaServiceWithAcksAllAndIdempotence() {
        Map<String, ?> config = clients.getProducer(Topics.SPEC_CHANGED).configuration();
        assertEquals("SASL_PLAINTEXT", config.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", config.get("sasl.mechanism"));
        assertTrue(String.valueOf(config.get("sasl.jaas.config")).contains("username=\"schema-service\""));
        // what the Kafka client makes of it: it turns idempotence off, silently, when acks is not all
        ProducerConfig effective = new ProducerConfig(new HashMap<>(config));
        assertEquals("-1", effective.getString(ProducerConfig.ACKS_CONFIG));
        assertTrue(effective.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
    }

    @Test
    void aRegisteredSpecIsPublishedOnSpecChangedByAnIdempotentProducer() throws Exception {
        String subject = "pets" + UUID.randomUUID().toString().substring(0, 8);
        TestTokens.as(Roles.PUBLISHER).contentType("application/json").body(SPEC)
                .post("/subjects/" + subject + "/versions?target=main&schema=" + subject)
                .then().statusCode(201).body("published", equalTo(true));

        // only User:schema-service may write spec-changed, and the service has no other login
        TopicPartition partition = awaitRecord(Topics.SPEC_CHANGED, "\"subject\":\"" + subject + "\"");
        assertIdempotentProducerOn(partition);
    }

    @Test
    void whatItRefusesGoesToItsDeadLetterTopicByAnIdempotentProducer() throws Exception {
        String key = "garbage-" + UUID.randomUUID();
        Map<String, Object> publisher = new HashMap<>(SecuredKafkaTestResource.clientConfig("spec-publisher"));
        publisher.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        publisher.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(publisher)) {
            producer.send(new ProducerRecord<>(Topics.SPEC_SUBMITTED, key, "this is not a cloud event " + key)).get();
        }
        TopicPartition partition = awaitRecord(Topics.SPEC_SUBMITTED + Topics.DEAD_LETTER_SUFFIX, key);
        assertIdempotentProducerOn(partition);
    }

    /** The broker keeps producer state only for idempotent (or transactional) producers: it lists this one. */
    private static void assertIdempotentProducerOn(TopicPartition partition) throws Exception {
        try (Admin admin = Admin.create(SecuredKafkaTestResource.clientConfig(SecuredKafkaTestResource.ADMIN))) {
            List<ProducerState> producers = admin.describeProducers(List.of(partition)).partitionResult(partition).get()
                    .activeProducers();
            assertFalse(producers.isEmpty(), "an idempotent producer wrote " + partition);
            assertTrue(producers.stream().allMatch(p -> p.producerId() >= 0), producers.toString());
        }
    }

    /** Reads the topic as the super user until a record whose key or value contains the text; its partition. */
    private static TopicPartition awaitRecord(String topic, String text) {
        Map<String, Object> config = new HashMap<>(SecuredKafkaTestResource.clientConfig(SecuredKafkaTestResource.ADMIN));
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    String both = r.key() + " " + r.value();
                    if (both.contains(text)) {
                        return new TopicPartition(r.topic(), r.partition());
                    }
                    seen.add(both.length() > 120 ? both.substring(0, 120) : both);
                }
            }
        }
        throw new AssertionError("no record with " + text + " on " + topic + "; saw " + seen);
    }
}
