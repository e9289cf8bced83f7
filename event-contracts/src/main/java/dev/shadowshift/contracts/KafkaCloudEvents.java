package dev.shadowshift.contracts;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;

/**
 * Turns a CloudEvent into a Kafka message in the CloudEvents Kafka binding's structured mode: the whole event is
 * the record value, and the content-type header says so.
 */
public final class KafkaCloudEvents {

    private KafkaCloudEvents() {
    }

    /**
     * @param key the ordering key: events about one target table or one plan share a key, so they share a partition
     */
    public static Message<String> message(String key, CloudEvent event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("content-type", CloudEvent.CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key)
                .withHeaders(headers)
                .build();
        return Message.of(EventCodec.write(event)).addMetadata(metadata);
    }
}
