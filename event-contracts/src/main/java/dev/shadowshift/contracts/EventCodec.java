package dev.shadowshift.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Builds, writes and reads CloudEvents. One mapper, configured once, so that every service writes the same JSON. */
public final class EventCodec {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private EventCodec() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A new event with a random id. */
    public static CloudEvent create(String source, String subject, Object data) {
        return create(UUID.randomUUID().toString(), source, subject, data);
    }

    /**
     * A new event with a caller-chosen id. Callers derive the id from what caused the event when a redelivered
     * cause must produce the very same event, so that downstream de-duplication sees one event, not two.
     */
    public static CloudEvent create(String id, String source, String subject, Object data) {
        EventType type = EventType.of(data.getClass());
        return new CloudEvent(CloudEvent.SPEC_VERSION, id, source, type.type(), subject,
                Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), "application/json",
                "https://shadowshift.dev/schemas/" + type.type() + ".json", MAPPER.valueToTree(data));
    }

    public static String write(CloudEvent event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise event " + event.id(), e);
        }
    }

    /** Parses a record value; anything that is not JSON is an {@link InvalidEventException}. */
    public static JsonNode readTree(String json) {
        if (json == null || json.isBlank()) {
            throw new InvalidEventException("record value is empty");
        }
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("record value is not JSON: " + e.getOriginalMessage());
        }
    }

    public static CloudEvent read(String json) {
        return bind(readTree(json), CloudEvent.class);
    }

    static <T> T bind(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("cannot read " + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }
}
