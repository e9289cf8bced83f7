package dev.shadowshift.contracts;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    /**
     * Sends the event and waits until the broker has acknowledged it. Services record an event as published only
     * after this returns, so a broker outage means "publish again later", never "silently lost".
     *
     * @throws PublishFailedException naming the event, when the broker refused it or did not answer within the timeout
     */
    public static void sendAndAwait(Emitter<String> emitter, String key, CloudEvent event, Duration timeout) {
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        Message<String> message = message(key, event)
                .withAck(() -> {
                    acknowledged.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acknowledged.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                });
        String what = event.type() + " event " + event.id();
        try {
            emitter.send(message);
            acknowledged.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new PublishFailedException("the broker refused " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new PublishFailedException("the broker did not acknowledge " + what + " within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException("interrupted while publishing " + what, e);
        } catch (RuntimeException e) {
            throw new PublishFailedException("cannot publish " + what + ": " + e.getMessage(), e);
        }
    }
}
