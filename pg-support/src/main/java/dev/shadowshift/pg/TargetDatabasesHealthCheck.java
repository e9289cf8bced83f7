package dev.shadowshift.pg;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.sql.Connection;
import java.sql.SQLException;

/** Ready only while every configured target database answers: a service that cannot reach its targets can do no work. */
@Readiness
@ApplicationScoped
public class TargetDatabasesHealthCheck implements HealthCheck {

    private final TargetDatabases targets;

    public TargetDatabasesHealthCheck(TargetDatabases targets) {
        this.targets = targets;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("target databases").up();
        for (String name : targets.names()) {
            try (Connection c = targets.open(name)) {
                response.withData(name, QuietHealth.UP);
            } catch (SQLException | RuntimeException e) {
                response.down().withData(name, QuietHealth.down("target " + name, e));
            }
        }
        return response.build();
    }
}
