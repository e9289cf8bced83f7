package dev.shadowshift.migration.it;

import dev.shadowshift.testkit.DatabaseRoles.Service;
import dev.shadowshift.testkit.ServiceSessions;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The worker logs in to PostgreSQL as shadowshift_migration (deploy/postgres/roles.sql), never as a superuser. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class DatabaseRoleTest {

    @Test
    void theWorkerRunsAsItsRoleAndNoSessionIsASuperusers() throws Exception {
        ServiceSessions.assertRunsAs(Service.MIGRATION);
    }
}
