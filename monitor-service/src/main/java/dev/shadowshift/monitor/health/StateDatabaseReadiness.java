package dev.shadowshift.monitor.health;

import dev.shadowshift.pg.QuietHealth;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/** The monitor's own database, through the same reactive pool as its state (the JDBC datasource is Flyway's only). */
@Readiness
@ApplicationScoped
public class StateDatabaseReadiness implements AsyncHealthCheck {

    private final Pool pool;

    public StateDatabaseReadiness(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return pool.query("SELECT 1").execute()
                .ifNoItem().after(Duration.ofSeconds(5)).fail()
                .map(r -> HealthCheckResponse.named("state database").up().build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("state database").down()
                        .withData("state", QuietHealth.down("the state database", e)).build());
    }
}
