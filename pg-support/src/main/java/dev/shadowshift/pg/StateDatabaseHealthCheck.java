package dev.shadowshift.pg;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Ready only while the service's own database answers. It stands in for the datasource's built-in check (off in this
 * module's microprofile-config.properties), which puts the driver's message in the open /q/health body, and that
 * message names the host and port ("Connection to db.internal:5432 refused").
 */
@Readiness
@ApplicationScoped
public class StateDatabaseHealthCheck implements HealthCheck {

    private static final int VALID_SECONDS = 5;

    private final DataSource state;

    public StateDatabaseHealthCheck(DataSource state) {
        this.state = state;
    }

    @Override
    public HealthCheckResponse call() {
        try (Connection c = state.getConnection()) {
            if (!c.isValid(VALID_SECONDS)) {
                // a pooled connection the server closed, or one that gave no answer within VALID_SECONDS
                throw new SQLException("the pooled connection is no longer valid", "08006");
            }
            return HealthCheckResponse.named("state database").up().withData("state", QuietHealth.UP).build();
        } catch (SQLException | RuntimeException e) {
            return HealthCheckResponse.named("state database").down().withData("state", QuietHealth.down("the state database", e)).build();
        }
    }
}
