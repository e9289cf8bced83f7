package dev.shadowshift.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The monitor posts to a real Alertmanager; Alertmanager shows the same alert, under the same fingerprint. */
@QuarkusTest
@TestProfile(AlertmanagerProfile.class)
@WithTestResource(ShadowshiftTestResource.class)
class AlertmanagerTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private static JsonNode alertmanagerAlerts(String alertname) throws Exception {
        String filter = URLEncoder.encode("alertname=\"" + alertname + "\"", StandardCharsets.UTF_8);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(AlertmanagerProfile.url + "/api/v2/alerts?filter=" + filter))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return EventCodec.readTree(r.body());
    }

    @Test
    void aFiringAlertReachesAlertmanagerWithTheSameLabelsAndFingerprintAndResolvesThere() throws Exception {
        Assumptions.assumeTrue(AlertmanagerProfile.installed(), "prometheus-alertmanager is not installed (.ci/run installs it)");
        try (TopicWatcher watcher = new TopicWatcher(bootstrap, List.of(Topics.ALERTS));
             Connection sleeper = Target.connect();
             Connection admin = Target.connect()) {
            int pid;
            try (Statement s = sleeper.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
                try (Statement s = sleeper.createStatement()) {
                    s.execute("SELECT pg_sleep(120)");
                } catch (Exception cancelled) {
                    // cancelled below
                }
            });
            Alert firing = Alerts.parse(watcher.await(Topics.ALERTS, Alerts.of("long_running_query", Alert.FIRING), WAIT));

            JsonNode[] seen = new JsonNode[1];
            await().atMost(WAIT).until(() -> {
                JsonNode all = alertmanagerAlerts("long_running_query");
                for (JsonNode a : all) {
                    if (a.path("fingerprint").asText().equals(firing.fingerprint())) {
                        seen[0] = a;
                        return true;
                    }
                }
                return false;
            });
            JsonNode am = seen[0];
            Map<String, String> labels = new TreeMap<>();
            am.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            assertEquals(new TreeMap<>(firing.labels()), labels, "Alertmanager keeps our labels as they are");
            assertEquals(firing.annotations().get("summary"), am.path("annotations").path("summary").asText());
            assertEquals(firing.generatorURL(), am.path("generatorURL").asText());
            assertEquals("active", am.path("status").path("state").asText());

            try (PreparedStatement cancel = admin.prepareStatement("SELECT pg_cancel_backend(?)")) {
                cancel.setInt(1, pid);
                cancel.execute();
            }
            sleeping.join();
            watcher.await(Topics.ALERTS, s -> Alerts.of("long_running_query", Alert.RESOLVED).test(s)
                    && EventCodec.read(s.value()).dataAs(Alert.class).fingerprint().equals(firing.fingerprint()), WAIT);
            await().atMost(WAIT).until(() -> {
                for (JsonNode a : alertmanagerAlerts("long_running_query")) {
                    if (a.path("fingerprint").asText().equals(firing.fingerprint())) {
                        return false;
                    }
                }
                return true;
            });
            assertTrue(true, "resolved in Alertmanager too");
        }
    }
}
