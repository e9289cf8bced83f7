package dev.shadowshift.migration.it;

import dev.shadowshift.testkit.AsDeployed;
import dev.shadowshift.testkit.AsDeployedAccess;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import java.util.List;

/** The worker as the manifests deploy it: prod profile, protected reads, a target down (see {@link AsDeployedAccess}). */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
@TestProfile(AsDeployed.class)
class AsDeployedAccessTest extends AsDeployedAccess {

    @Override
    protected List<String> reads() {
        return List.of("/migrations", "/migrations/no-such-plan", "/migrations/no-such-plan/dry-run");
    }
}
