package dev.shadowshift.contracts;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsyncApiDocumentTest {

    @Test
    void listsEveryTopicItsDeadLetterTopicAndEveryEventType() throws Exception {
        String doc;
        try (InputStream in = getClass().getResourceAsStream("/asyncapi.yaml")) {
            assertNotNull(in, "asyncapi.yaml ships with the contracts");
            doc = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(doc.startsWith("asyncapi: 3.0.0"));
        for (String topic : Topics.ALL) {
            assertTrue(doc.contains("address: " + topic + "\n"), topic);
            assertTrue(doc.contains("address: " + topic + Topics.DEAD_LETTER_SUFFIX + "\n"), topic + " dead letters");
        }
        for (EventType type : EventType.values()) {
            assertTrue(doc.contains("const: " + type.type()), type.type());
            assertTrue(doc.contains("$ref: 'schemas/" + type.type() + ".json'"), type.type());
        }
    }
}
