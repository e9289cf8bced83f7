package dev.shadowshift.testkit;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * A service as the deploy manifests run it: the {@code prod} profile the jars run in (Swagger UI off) and
 * {@code shadowshift.auth.protect-reads=true}; and a second target whose server refuses connections, so a test sees
 * what the open probes say about a database that is down.
 */
public class AsDeployed implements QuarkusTestProfile {

    /** The target that is down: nothing listens on port 1. */
    public static final String GONE_TARGET = "gone";

    @Override
    public String getConfigProfile() {
        return "prod";
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "shadowshift.auth.protect-reads", "true",
                "shadowshift.targets." + GONE_TARGET + ".jdbc-url", "jdbc:postgresql://127.0.0.1:1/gone",
                "shadowshift.targets." + GONE_TARGET + ".username", "nobody",
                "shadowshift.targets." + GONE_TARGET + ".password", "");
    }
}
