package dev.shadowshift.monitor.health;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Flyway owns the schema and needs JDBC; it has migrated by the time the application starts. Nothing else in this
 * service uses JDBC, so the connections Flyway left in the pool are closed here, and none are opened again.
 */
@ApplicationScoped
public class FlywayOnlyJdbc {

    private static final Logger LOG = Logger.getLogger(FlywayOnlyJdbc.class);

    void closeFlywayConnections(@Observes StartupEvent event, AgroalDataSource flywayDataSource) {
        flywayDataSource.flush(AgroalDataSource.FlushMode.ALL);
        LOG.debug("closed the JDBC connections Flyway used; the service runs on the reactive pool");
    }
}
