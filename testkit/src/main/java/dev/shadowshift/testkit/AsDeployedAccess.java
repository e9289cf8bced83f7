package dev.shadowshift.testkit;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.List;

/**
 * The tests of a service as the manifests deploy it ({@link AsDeployed}): every read needs a role, the API's
 * description too, the Swagger UI is off, and the open probes name no address while a target and then the service's own
 * database are down. A service's test class extends this with {@code @QuarkusTest}, {@code @WithTestResource(ShadowshiftTestResource.class)}
 * and {@code @TestProfile(AsDeployed.class)}, and names its reads.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class AsDeployedAccess {

    /** The service's GET endpoints, with ids that need not exist (a 404 has got past the checks too). */
    protected abstract List<String> reads();

    @Test
    @Order(1)
    void readsNeedARoleAndTheApiExplorerIsOff() {
        AccessRules.assertReadsNeedARole(reads().toArray(String[]::new));
        AccessRules.assertReadsNeedARole("/q/openapi");
        AccessRules.assertApiDescribed(false, true);
    }

    @Test
    @Order(2)
    void probesAndMetricsStayOpenAndNameNoAddressWhileATargetAndThenTheStateDatabaseAreDown() throws Exception {
        AccessRules.assertProbesOpenAndQuiet();
        AccessRules.assertProbesQuietWhileTheStateDatabaseIsDown();
    }
}
