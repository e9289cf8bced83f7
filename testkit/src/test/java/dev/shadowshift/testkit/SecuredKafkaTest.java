package dev.shadowshift.testkit;

import dev.shadowshift.contracts.KafkaAccess;
import dev.shadowshift.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What an operator checks on a cluster secured like deploy/kubernetes: without a login nothing gets published, and
 * each service's login may write only the topics it owns. The broker is this class's own, with SASL (SCRAM-SHA-512)
 * and the ACLs of {@link KafkaAccess#GRANTS}; the clients take exactly the settings the services take.
 */
class SecuredKafkaTest {

    static SecuredKafka kafka;

    @BeforeAll
    static void start() {
        kafka = SecuredKafka.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aClientWithoutKafkaSecuritySettingsCannotPublishSpecChanged() {
        String key = "no-credentials-" + UUID.randomUUID();
        Map<String, Object> config = new HashMap<>(kafka.noCredentialsConfig());
        // the broker drops the connection of a client that does not start SASL, so the producer never learns the
        // topic's leader; bound how long it keeps trying
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000);
        Throwable refused = publish(config, Topics.SPEC_CHANGED, key);
        assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, refused, "no metadata for a client that does not log in");
        assertTrue(refused.getMessage().contains(Topics.SPEC_CHANGED), refused.getMessage());
        assertEquals(0, keysOn(Topics.SPEC_CHANGED).stream().filter(key::equals).count(), "nothing reached spec-changed");
    }

    @Test
    void aLoginWithTheWrongPasswordIsRefusedWithAnAuthenticationError() {
        String key = "wrong-password-" + UUID.randomUUID();
        Throwable refused = publish(kafka.wrongPasswordConfig(KafkaAccess.SCHEMA_SERVICE), Topics.SPEC_CHANGED, key);
        assertInstanceOf(SaslAuthenticationException.class, refused);
        assertTrue(refused.getMessage().contains("invalid credentials") && refused.getMessage().contains(SecuredKafka.MECHANISM),
                refused.getMessage());
        assertEquals(0, keysOn(Topics.SPEC_CHANGED).stream().filter(key::equals).count(), "nothing reached spec-changed");
    }

    @Test
    void onlySchemaServiceMayPublishSpecChanged() {
        String key = "spec-changed-" + UUID.randomUUID();
        for (String principal : List.of(KafkaAccess.MIGRATION_WORKER, KafkaAccess.SPEC_PUBLISHER, KafkaAccess.BACKUP_WORKER,
                KafkaAccess.MONITOR_SERVICE)) {
            Throwable refused = publish(kafka.clientConfig(principal), Topics.SPEC_CHANGED, key);
            assertInstanceOf(TopicAuthorizationException.class, refused, principal + " on spec-changed");
            assertEquals(Set.of(Topics.SPEC_CHANGED), ((TopicAuthorizationException) refused).unauthorizedTopics());
        }
        assertNull(publish(kafka.clientConfig(KafkaAccess.SCHEMA_SERVICE), Topics.SPEC_CHANGED, key), "schema-service publishes");
        assertEquals(1, keysOn(Topics.SPEC_CHANGED).stream().filter(key::equals).count(), "only schema-service's record is there");
    }

    @Test
    void onlyBackupWorkerMayOpenABackupGate() {
        String key = "backup-completed-" + UUID.randomUUID();
        for (String principal : List.of(KafkaAccess.SCHEMA_SERVICE, KafkaAccess.MIGRATION_WORKER, KafkaAccess.MONITOR_SERVICE,
                KafkaAccess.SPEC_PUBLISHER)) {
            assertInstanceOf(TopicAuthorizationException.class, publish(kafka.clientConfig(principal), Topics.BACKUP_COMPLETED, key),
                    principal + " on backup-completed");
        }
        assertNull(publish(kafka.clientConfig(KafkaAccess.BACKUP_WORKER), Topics.BACKUP_COMPLETED, key));
        assertEquals(1, keysOn(Topics.BACKUP_COMPLETED).stream().filter(key::equals).count());
    }

    /** Every login against every topic and dead-letter topic: it may write exactly what its grants name. */
    @Test
    void eachServiceWritesExactlyTheTopicsItsGrantsName() {
        List<String> topics = new ArrayList<>();
        for (String t : Topics.ALL) {
            topics.add(t);
            topics.add(t + Topics.DEAD_LETTER_SUFFIX);
        }
        for (String principal : kafka.principals()) {
            Set<String> granted = new TreeSet<>();
            KafkaAccess.of(principal).stream().filter(g -> g.resource() == KafkaAccess.Resource.TOPIC
                    && g.operation() == KafkaAccess.Operation.WRITE).forEach(g -> granted.add(g.name()));
            Set<String> written = new TreeSet<>();
            try (KafkaProducer<String, String> producer = producer(kafka.clientConfig(principal))) {
                for (String topic : topics) {
                    Throwable outcome = send(producer, topic, "matrix-" + UUID.randomUUID());
                    if (outcome == null) {
                        written.add(topic);
                    } else if (!(outcome instanceof TopicAuthorizationException)) {
                        fail(principal + " on " + topic + ": " + outcome);
                    }
                }
            }
            assertEquals(granted, written, principal + " writes");
        }
    }

    @Test
    void aServiceReadsWhatItConsumesInItsOwnGroupOnly() {
        String key = "read-" + UUID.randomUUID();
        assertNull(publish(kafka.clientConfig(KafkaAccess.SCHEMA_SERVICE), Topics.SPEC_CHANGED, key));

        try (KafkaConsumer<String, String> worker = consumer(KafkaAccess.MIGRATION_WORKER, "migration-worker")) {
            worker.subscribe(List.of(Topics.SPEC_CHANGED));
            assertTrue(pollUntil(worker, key), "migration-worker reads spec-changed in its group");
        }
        try (KafkaConsumer<String, String> monitor = consumer(KafkaAccess.MONITOR_SERVICE, "monitor-service")) {
            monitor.subscribe(List.of(Topics.SPEC_CHANGED));
            TopicAuthorizationException e = assertThrows(TopicAuthorizationException.class, () -> pollUntil(monitor, key));
            assertEquals(Set.of(Topics.SPEC_CHANGED), e.unauthorizedTopics());
        }
        try (KafkaConsumer<String, String> intruder = consumer(KafkaAccess.MIGRATION_WORKER, "schema-service")) {
            intruder.subscribe(List.of(Topics.SPEC_CHANGED));
            GroupAuthorizationException e = assertThrows(GroupAuthorizationException.class, () -> pollUntil(intruder, key));
            assertTrue(e.getMessage().contains("schema-service"), e.getMessage());
        }
    }

    /** A producer configured the way the services configure theirs. */
    private static KafkaProducer<String, String> producer(Map<String, Object> security) {
        Map<String, Object> config = new HashMap<>(security);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return new KafkaProducer<>(config);
    }

    /** Publishes one record and returns why it was refused, or null once the broker acknowledged it. */
    private static Throwable publish(Map<String, Object> config, String topic, String key) {
        try (KafkaProducer<String, String> producer = producer(config)) {
            return send(producer, topic, key);
        }
    }

    private static Throwable send(KafkaProducer<String, String> producer, String topic, String key) {
        try {
            producer.send(new ProducerRecord<>(topic, key, "{}")).get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (org.apache.kafka.common.KafkaException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static KafkaConsumer<String, String> consumer(String principal, String group) {
        Map<String, Object> config = new HashMap<>(kafka.clientConfig(principal));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return new KafkaConsumer<>(config);
    }

    /** Polls until the key shows up; false if the consumer ran dry many times without it. */
    private static boolean pollUntil(KafkaConsumer<String, String> consumer, String key) {
        for (int i = 0; i < 100; i++) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                if (key.equals(r.key())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every key on the topic, read by the super user from the beginning to the current end. */
    private static List<String> keysOn(String topic) {
        Map<String, Object> config = new HashMap<>(kafka.adminConfig());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
            }
        }
        return keys;
    }
}
