package dev.shadowshift.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.testkit.TopicWatcher;

import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reading the alerts topic as a downstream consumer would. */
final class Alerts {

    private Alerts() {
    }

    /** Schema-checked, key = fingerprint = subject, fingerprint = Alertmanager's of the labels. */
    static Alert parse(TopicWatcher.Seen seen) {
        CloudEvent event = EventSchemas.parse(seen.value(), EventType.ALERT);
        Alert alert = event.dataAs(Alert.class);
        assertEquals(alert.fingerprint(), seen.key(), "alerts are keyed by fingerprint");
        assertEquals(alert.fingerprint(), event.subject());
        assertEquals(Alert.fingerprintOf(alert.labels()), alert.fingerprint(), "the fingerprint is the labels'");
        assertEquals("/shadowshift/monitor-service", event.source());
        return alert;
    }

    static Predicate<TopicWatcher.Seen> of(String alertname, String status) {
        return of(alertname, status, "main");
    }

    /** Alerts of this test application: other applications before it in the JVM had a target "main" too. */
    static Predicate<TopicWatcher.Seen> of(String alertname, String status, String target) {
        String mainDatabase = Target.database();
        return seen -> {
            JsonNode data = EventCodec.readTree(seen.value()).path("data");
            JsonNode labels = data.path("labels");
            return alertname.equals(labels.path("alertname").asText())
                    && target.equals(labels.path("target").asText())
                    && (!target.equals("main") || mainDatabase.equals(labels.path("database").asText()))
                    && status.equals(data.path("status").asText());
        };
    }
}
