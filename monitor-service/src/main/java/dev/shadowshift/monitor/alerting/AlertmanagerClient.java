package dev.shadowshift.monitor.alerting;

import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.monitor.config.MonitorConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Posts notifications to an Alertmanager's {@code /api/v2/alerts}, when {@code shadowshift.monitor.alertmanager.url}
 * is set. The same alerts went to Kafka first; Alertmanager is told after the state is committed and on a best-effort
 * basis: it dedups by fingerprint, and a firing alert it missed comes again with the next re-send.
 */
@ApplicationScoped
public class AlertmanagerClient {

    private static final Logger LOG = Logger.getLogger(AlertmanagerClient.class);

    private final Optional<URI> url;
    private final MonitorConfig config;
    private final WebClient client;
    private final Counter failures;
    private final Counter posted;

    public AlertmanagerClient(MonitorConfig config, Vertx vertx, MeterRegistry registry) {
        this.config = config;
        this.url = config.alertmanager().url();
        this.client = url.isPresent() ? WebClient.create(vertx) : null;
        this.failures = Counter.builder("shadowshift_monitor_alertmanager_failures")
                .description("Posts to Alertmanager that failed").register(registry);
        this.posted = Counter.builder("shadowshift_monitor_alertmanager_alerts_posted")
                .description("Alerts posted to Alertmanager").register(registry);
    }

    public boolean enabled() {
        return url.isPresent();
    }

    public Uni<Void> post(List<Alert> alerts) {
        if (url.isEmpty() || alerts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        JsonArray body = new JsonArray();
        for (Alert a : alerts) {
            body.add(new JsonObject()
                    .put("labels", new JsonObject(new java.util.LinkedHashMap<>(a.labels())))
                    .put("annotations", new JsonObject(new java.util.LinkedHashMap<>(a.annotations())))
                    .put("startsAt", a.startsAt())
                    .put("endsAt", a.endsAt())
                    .put("generatorURL", a.generatorURL()));
        }
        URI endpoint = url.get().resolve(url.get().getPath().endsWith("/") ? "api/v2/alerts" : url.get().getPath() + "/api/v2/alerts");
        return client.postAbs(endpoint.toString())
                .timeout(config.alertmanager().timeout().toMillis())
                .putHeader("Content-Type", "application/json")
                .sendBuffer(io.vertx.mutiny.core.buffer.Buffer.buffer(body.encode()))
                .invoke(response -> {
                    if (response.statusCode() / 100 != 2) {
                        throw new IllegalStateException("Alertmanager answered " + response.statusCode() + ": "
                                + response.bodyAsString());
                    }
                    posted.increment(alerts.size());
                })
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> {
                    failures.increment();
                    LOG.warnf("could not post %d alert(s) to Alertmanager at %s: %s (the next re-send tries again)",
                            alerts.size(), endpoint, e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }
}
