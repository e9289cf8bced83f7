package dev.shadowshift.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks events against the JSON Schemas shipped in this module: the CloudEvents envelope first, then the data
 * of the event's type. Producers' contract tests and every consumer use the same check.
 */
public final class EventSchemas {

    /** Schemas refer to each other by their $id; they are read from the classpath, never fetched. */
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.schemaMappers(m -> m.mapPrefix("https://shadowshift.dev/schemas/", "classpath:schemas/")));
    private static final JsonSchema ENVELOPE = load("/schemas/cloudevent.json");
    private static final Map<EventType, JsonSchema> DATA = new EnumMap<>(EventType.class);

    static {
        for (EventType type : EventType.values()) {
            DATA.put(type, load(type.schemaResource()));
        }
    }

    private EventSchemas() {
    }

    /**
     * Parses and validates a record value.
     *
     * @param expected the type the topic carries, or null to accept any known type
     * @throws InvalidEventException naming what is wrong and where
     */
    public static CloudEvent parse(String recordValue, EventType expected) {
        JsonNode tree = EventCodec.readTree(recordValue);
        validate(tree, expected);
        return EventCodec.bind(tree, CloudEvent.class);
    }

    public static EventType validate(JsonNode event, EventType expected) {
        String envelopeErrors = describe(ENVELOPE.validate(event));
        if (!envelopeErrors.isEmpty()) {
            throw new InvalidEventException("not a CloudEvents 1.0 event: " + envelopeErrors);
        }
        String typeName = event.get("type").asText();
        if (EventType.RETIRED.containsKey(typeName)) {
            throw new InvalidEventException("event " + event.path("id").asText() + " is of a retired type: "
                    + EventType.RETIRED.get(typeName));
        }
        EventType type = EventType.ofType(typeName)
                .orElseThrow(() -> new InvalidEventException("unknown event type '" + typeName + "'"));
        if (expected != null && type != expected) {
            throw new InvalidEventException(
                    "event type '" + typeName + "' does not belong on this topic, which carries '" + expected.type() + "'");
        }
        String dataErrors = describe(DATA.get(type).validate(event.get("data")));
        if (!dataErrors.isEmpty()) {
            throw new InvalidEventException("data of " + typeName + " event " + event.path("id").asText() + " is invalid: " + dataErrors);
        }
        return type;
    }

    /** Checks an event's data (not the envelope) against its type's schema, e.g. before a producer stores it. */
    public static void validateData(EventType type, JsonNode data) {
        String errors = describe(DATA.get(type).validate(data));
        if (!errors.isEmpty()) {
            throw new InvalidEventException("data of " + type.type() + " is invalid: " + errors);
        }
    }

    private static String describe(Set<ValidationMessage> messages) {
        return messages.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("; "));
    }

    private static JsonSchema load(String resource) {
        try (InputStream in = EventSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema " + resource + " is missing from the classpath");
            }
            return FACTORY.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
