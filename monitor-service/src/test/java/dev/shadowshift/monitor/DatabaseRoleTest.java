package dev.shadowshift.monitor;

import dev.shadowshift.testkit.DatabaseRoles.Service;
import dev.shadowshift.testkit.ServiceSessions;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The monitor logs in to PostgreSQL as shadowshift_monitor (pg_monitor, deploy/postgres/roles.sql), never as a superuser. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class DatabaseRoleTest {

    @Test
    void theMonitorRunsAsItsRoleAndNoSessionIsASuperusers() throws Exception {
        ServiceSessions.assertRunsAs(Service.MONITOR);
    }
}
