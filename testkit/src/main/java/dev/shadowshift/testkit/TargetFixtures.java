package dev.shadowshift.testkit;

import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Connections to the target of the application under test ({@code shadowshift.targets.main.jdbc-url}) for a test's
 * own fixtures, as the role a deployment would do that work as: tables are created by their owner, so that
 * migration-worker may alter them; what only a superuser may do (an extension, a replication slot) is done as one,
 * as a deployment's init script or DBA does it.
 */
public final class TargetFixtures {

    private TargetFixtures() {
    }

    /** As shadowshift_migration, which owns the target database and its tables in a deployment. */
    public static Connection asOwner() throws SQLException {
        return as(DatabaseRoles.TARGET_OWNER);
    }

    /** As a service's role, e.g. to check what it may not do. */
    public static Connection as(DatabaseRoles.Service service) throws SQLException {
        return DatabaseRoles.connect(service, url());
    }

    /** As the server's superuser: only for what a deployment's init script does before the services start. */
    public static Connection asSuperuser() throws SQLException {
        return Infrastructure.shared().postgres().connect(ServiceSessions.database(url()));
    }

    static String url() {
        return ConfigProvider.getConfig().getValue("shadowshift.targets.main.jdbc-url", String.class);
    }
}
