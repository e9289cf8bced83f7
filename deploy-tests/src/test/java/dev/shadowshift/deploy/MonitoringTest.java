package dev.shadowshift.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The PrometheusRule and the Grafana dashboard query what the services serve; promtool agrees with the rules. */
class MonitoringTest {

    private static final String DASHBOARD = "deploy/grafana/shadowshift.json";
    private final List<JsonNode> objects = Rendered.install();

    @Test
    void theRulesCoverTheServicesThemselves() {
        Map<String, JsonNode> alerts = alerts();
        for (String name : List.of("ShadowshiftServiceDown", "ShadowshiftServiceMissing", "ShadowshiftConsumerLag",
                "ShadowshiftConsumerStalled", "ShadowshiftDeadLetters", "ShadowshiftBackupNotVerified", "ShadowshiftBackupTooOld",
                "ShadowshiftBackupFailed", "ShadowshiftBackupCorrupt", "ShadowshiftAlertDeliveryFailing")) {
            assertTrue(alerts.containsKey(name), "no alert " + name + " in " + alerts.keySet());
        }
        alerts.forEach((name, rule) -> {
            assertTrue(Set.of("critical", "warning", "info").contains(rule.path("labels").path("severity").asText()), name);
            assertFalse(rule.path("annotations").path("summary").asText().isBlank(), name + " has no summary");
            assertFalse(rule.path("annotations").path("description").asText().isBlank(), name + " has no description");
        });
        String down = alerts.get("ShadowshiftServiceDown").path("expr").asText();
        for (String service : Repo.SERVICES) {
            assertTrue(down.contains(service), "ShadowshiftServiceDown leaves out " + service);
        }
    }

    @Test
    void everyRuleAndPanelQueriesAMetricTheServicesServe() throws IOException {
        Set<String> served = ServedMetrics.all();
        Map<String, Set<String>> unknown = new TreeMap<>();
        Set<String> used = new TreeSet<>();
        alerts().forEach((name, rule) -> check("rule " + name, rule.path("expr").asText(), served, used, unknown));
        for (JsonNode panel : panels(dashboard())) {
            for (JsonNode target : panel.path("targets")) {
                check("panel " + panel.path("title").asText(), target.path("expr").asText(), served, used, unknown);
            }
        }
        for (JsonNode variable : dashboard().path("templating").path("list")) {
            if (variable.path("query").has("query")) {
                check("variable " + variable.path("name").asText(), variable.path("query").path("query").asText()
                        .replaceAll("^label_values\\((.*),\\s*\\w+\\)$", "$1"), served, used, unknown);
            }
        }
        assertEquals(Map.of(), unknown, "metrics no service serves");
        assertTrue(used.containsAll(List.of("shadowshift_backup_last_verified_timestamp_seconds", "kafka_consumer_fetch_manager_records_lag",
                "shadowshift_monitor_alerts_firing", "pg_up", "kafka_producer_topic_record_send_total")), "used: " + used);
    }

    @Test
    void metricNamesFromTheCodeAreNamedAsPrometheusSeesThem() {
        Set<String> code = ServedMetrics.fromCode();
        assertTrue(code.containsAll(List.of("shadowshift_backup_last_verified_timestamp_seconds", "shadowshift_backup_failures_total",
                "shadowshift_backup_size_bytes_max", "shadowshift_backup_duration_seconds_sum", "shadowshift_backups",
                "shadowshift_monitor_alertmanager_failures_total", "pg_up", "pg_stat_database_xact_commit")), code.toString());
        for (String framework : ServedMetrics.fromFrameworks()) {
            assertFalse(framework.startsWith("shadowshift_") || framework.startsWith("pg_"),
                    framework + ": our own meters are read from the code, not listed");
        }
    }

    @Test
    void theDashboardConfigMapIsGeneratedFromTheOneFile() throws IOException {
        JsonNode cm = Rendered.one(objects, "ConfigMap", "shadowshift-grafana-dashboard");
        assertEquals("1", cm.path("metadata").path("labels").path("grafana_dashboard").asText(), "the Grafana sidecar's label");
        assertEquals(Repo.read(DASHBOARD), cm.path("data").path("shadowshift.json").asText());
        JsonNode dash = dashboard();
        assertEquals("shadowshift", dash.path("uid").asText());
        Set<String> rows = new TreeSet<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels(dash)) {
            assertTrue(ids.add(panel.path("id").asInt()), "panel id " + panel.path("id") + " twice");
            if (panel.path("type").asText().equals("row")) {
                rows.add(panel.path("title").asText().replaceAll(" .*", ""));
            } else {
                assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), panel.path("title").asText());
                assertFalse(panel.path("targets").isEmpty(), panel.path("title").asText() + " queries nothing");
            }
        }
        assertTrue(rows.containsAll(List.of("Migrations", "Backups", "Alerts", "Kafka", "PostgreSQL")), rows.toString());
    }

    @Test
    void promtoolChecksAndTestsTheRules(@TempDir Path dir) throws IOException {
        var promtool = Repo.onPath("promtool");
        assumeTrue(promtool.isPresent(), "promtool is not installed (Debian package prometheus)");
        JsonNode rule = Rendered.one(objects, "PrometheusRule", "shadowshift");
        Files.writeString(dir.resolve("shadowshift-rules.yaml"), Repo.YAML.writeValueAsString(rule.path("spec")));
        try (InputStream tests = getClass().getResourceAsStream("/prometheus-rules.test.yaml")) {
            Files.copy(tests, dir.resolve("prometheus-rules.test.yaml"));
        }
        Repo.Run check = Repo.run(dir, Map.of(), Duration.ofSeconds(60), promtool.get().toString(), "check", "rules", "shadowshift-rules.yaml");
        assertEquals(0, check.exit(), check.output());
        Repo.Run test = Repo.run(dir, Map.of(), Duration.ofSeconds(120), promtool.get().toString(), "test", "rules", "prometheus-rules.test.yaml");
        assertEquals(0, test.exit(), test.output());
    }

    private Map<String, JsonNode> alerts() {
        JsonNode groups = Rendered.one(objects, "PrometheusRule", "shadowshift").path("spec").path("groups");
        assertFalse(groups.isEmpty(), "the PrometheusRule has no groups");
        Map<String, JsonNode> alerts = new TreeMap<>();
        for (JsonNode group : groups) {
            assertFalse(group.path("name").asText().isBlank());
            for (JsonNode rule : group.path("rules")) {
                assertTrue(alerts.put(rule.path("alert").asText(), rule) == null, "alert " + rule.path("alert") + " twice");
            }
        }
        return alerts;
    }

    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(Repo.read(DASHBOARD));
    }

    private static List<JsonNode> panels(JsonNode dash) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode p : dash.path("panels")) {
            all.add(p);
            p.path("panels").forEach(all::add);
        }
        return all;
    }

    private static void check(String where, String expr, Set<String> served, Set<String> used, Map<String, Set<String>> unknown) {
        assertFalse(expr.isBlank(), where + " has no query");
        for (String metric : Promql.metricNames(expr)) {
            used.add(metric);
            if (!served.contains(metric)) {
                unknown.computeIfAbsent(where, w -> new TreeSet<>()).add(metric);
            }
        }
    }
}
