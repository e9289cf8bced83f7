package dev.shadowshift.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AsyncAPI document parses as YAML, is valid against the AsyncAPI 3.0.0 JSON Schema (test/resources
 * asyncapi-3.0.0.schema.json: schemas/3.0.0-without-$id.json of the npm package @asyncapi/specs 6.11.1, Apache-2.0),
 * and says what the code says: one channel per topic and per dead-letter topic, one message per event type with the
 * type's name, its CloudEvents type constant and its JSON Schema, and nothing else.
 */
class AsyncApiDocumentTest {

    private static JsonNode doc;

    @BeforeAll
    static void read() throws Exception {
        try (InputStream in = AsyncApiDocumentTest.class.getResourceAsStream("/asyncapi.yaml")) {
            assertNotNull(in, "asyncapi.yaml ships with the contracts");
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    @Test
    void isAValidAsyncApi3Document() throws Exception {
        JsonSchema schema;
        try (InputStream in = getClass().getResourceAsStream("/asyncapi-3.0.0.schema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
        Set<ValidationMessage> errors = schema.validate(doc);
        assertTrue(errors.isEmpty(), "asyncapi.yaml is not valid AsyncAPI 3.0.0: " + errors);
        assertEquals("3.0.0", doc.path("asyncapi").asText());
    }

    @Test
    void hasAChannelForEveryTopicAndDeadLetterTopicAndNoOther() {
        Set<String> addresses = new HashSet<>();
        doc.path("channels").forEach(c -> addresses.add(c.path("address").asText()));
        Set<String> expected = new HashSet<>();
        for (String topic : Topics.ALL) {
            expected.add(topic);
            expected.add(topic + Topics.DEAD_LETTER_SUFFIX);
        }
        assertEquals(expected, addresses);
        for (Map.Entry<String, JsonNode> channel : fields(doc.path("channels"))) {
            for (Map.Entry<String, JsonNode> message : fields(channel.getValue().path("messages"))) {
                String ref = message.getValue().path("$ref").asText();
                assertTrue(ref.startsWith("#/components/messages/"), channel.getKey() + ": " + ref);
                String name = ref.substring("#/components/messages/".length());
                JsonNode defined = doc.path("components").path("messages").path(name);
                assertTrue(defined.isObject(), channel.getKey() + " refers to an undefined message " + name);
                String address = channel.getValue().path("address").asText();
                String topic = address.endsWith(Topics.DEAD_LETTER_SUFFIX)
                        ? address.substring(0, address.length() - Topics.DEAD_LETTER_SUFFIX.length()) : address;
                assertEquals(topic, typeOf(defined).topic(), channel.getKey() + " carries " + name);
            }
        }
        for (Map.Entry<String, JsonNode> op : fields(doc.path("operations"))) {
            String ref = op.getValue().path("channel").path("$ref").asText();
            assertTrue(doc.path("channels").has(ref.substring("#/channels/".length())), op.getKey() + ": " + ref);
        }
    }

    @Test
    void describesEveryEventTypeWithItsTypeConstantAndItsJsonSchema() {
        List<EventType> described = new ArrayList<>();
        for (Map.Entry<String, JsonNode> message : fields(doc.path("components").path("messages"))) {
            EventType type = typeOf(message.getValue());
            described.add(type);
            JsonNode parts = message.getValue().path("payload").path("schema").path("allOf");
            assertEquals("schemas/cloudevent.json", parts.path(0).path("$ref").asText(), message.getKey());
            assertEquals(type.type(), parts.path(1).path("properties").path("type").path("const").asText(), message.getKey());
            String dataSchema = parts.path(1).path("properties").path("data").path("$ref").asText();
            assertEquals("schemas/" + type.type() + ".json", dataSchema, message.getKey());
            assertNotNull(getClass().getResource("/" + dataSchema), dataSchema + " is on the classpath");
            assertEquals(type.dataClass().getSimpleName(), message.getValue().path("title").asText(), message.getKey());
            assertTrue(message.getValue().path("bindings").path("kafka").path("key").path("description").asText().length() > 0,
                    message.getKey() + " says what its key is");
        }
        assertEquals(List.of(EventType.values()), described.stream().sorted().toList(),
                "one message per event type, each once");
        for (String retired : EventType.RETIRED.keySet()) {
            assertTrue(doc.path("components").path("messages").findValues("name").stream()
                    .noneMatch(n -> n.asText().equals(retired)), retired + " is retired");
        }
    }

    private static EventType typeOf(JsonNode message) {
        String name = message.path("name").asText();
        return EventType.ofType(name).orElseThrow(() -> new AssertionError("message " + name + " is no EventType"));
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}
