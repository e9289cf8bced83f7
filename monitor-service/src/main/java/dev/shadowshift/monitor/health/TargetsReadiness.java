package dev.shadowshift.monitor.health;

import dev.shadowshift.monitor.snapshot.TargetPools;
import dev.shadowshift.pg.QuietHealth;
import dev.shadowshift.pg.TargetDatabases;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.util.Map;

/**
 * Ready only while every target answers, asked through the target's own reactive pool (pg-support's JDBC check is
 * left out of this service: it would hold a JDBC connection per target at runtime).
 */
@Readiness
@ApplicationScoped
public class TargetsReadiness implements AsyncHealthCheck {

    private final TargetDatabases targets;
    private final TargetPools pools;

    public TargetsReadiness(TargetDatabases targets, TargetPools pools) {
        this.targets = targets;
        this.pools = pools;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return Multi.createFrom().iterable(targets.names())
                .onItem().transformToUniAndMerge(name -> pools.of(name).query("SELECT 1").execute()
                        .ifNoItem().after(Duration.ofSeconds(5)).fail()
                        .map(r -> Map.entry(name, QuietHealth.UP))
                        .onFailure().recoverWithItem(e -> Map.entry(name, QuietHealth.down("target " + name, e))))
                .collect().asList()
                .map(results -> {
                    HealthCheckResponseBuilder b = HealthCheckResponse.named("target databases").up();
                    for (var r : results) {
                        b.withData(r.getKey(), r.getValue());
                        if (r.getValue().startsWith("DOWN")) {
                            b.down();
                        }
                    }
                    return b.build();
                });
    }
}
