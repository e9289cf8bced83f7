package dev.shadowshift.testkit;

import dev.shadowshift.security.LocalKeyPair;
import dev.shadowshift.security.Tokens;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Tokens for the services under test: one RS256 key pair per JVM (kept in a system property's folder, so every
 * Quarkus class loader of the JVM signs with the key its services verify with), and the forged kinds a test shows
 * are refused. {@link ShadowshiftTestResource} points the services at its public key.
 */
public final class TestTokens {

    private static final String DIR_PROP = "shadowshift.test.jwt-dir";
    private static final Duration TTL = Duration.ofHours(1);

    private TestTokens() {
    }

    /** A RestAssured request carrying a valid token with these roles: {@code TestTokens.as(Roles.OPERATOR).post(...)}. */
    public static RequestSpecification as(String... roles) {
        return RestAssured.given().header("Authorization", bearer(roles));
    }

    /** {@code Bearer <token>} with these roles, for clients other than RestAssured. */
    public static String bearer(String... roles) {
        return "Bearer " + token(roles);
    }

    public static String token(String... roles) {
        return Tokens.sign(keys().privateKey(), Tokens.LOCAL_ISSUER, Tokens.AUDIENCE, "test", List.of(roles), TTL);
    }

    /** Forged or stale tokens that carry the role yet must be answered 401, each named by what is wrong with it. */
    public static Map<String, String> refusedTokens(String role) {
        LocalKeyPair other = LocalKeyPair.ensure(otherDir());
        return Map.of(
                "unsigned (alg none)", Tokens.unsigned(Tokens.LOCAL_ISSUER, Tokens.AUDIENCE, "forger", List.of(role), TTL),
                "signed by another key", Tokens.sign(other.privateKey(), Tokens.LOCAL_ISSUER, Tokens.AUDIENCE, "forger", List.of(role), TTL),
                "expired", Tokens.sign(keys().privateKey(), Tokens.LOCAL_ISSUER, Tokens.AUDIENCE, "late", List.of(role),
                        Instant.now().minus(Duration.ofHours(2)), TTL),
                "wrong issuer", Tokens.sign(keys().privateKey(), "https://evil.example", Tokens.AUDIENCE, "x", List.of(role), TTL),
                "wrong audience", Tokens.sign(keys().privateKey(), Tokens.LOCAL_ISSUER, "someone-else", "x", List.of(role), TTL),
                "not a token", "not.a.jwt");
    }

    /** What the services verify with (mp.jwt.verify.publickey.location). */
    public static Path publicKeyFile() {
        return keys().publicKeyFile();
    }

    private static LocalKeyPair keys() {
        return LocalKeyPair.ensure(dir());
    }

    private static synchronized Path dir() {
        String known = System.getProperty(DIR_PROP);
        if (known != null) {
            return Path.of(known);
        }
        try {
            Path dir = Files.createTempDirectory("shadowshift-test-jwt-");
            dir.toFile().deleteOnExit();
            System.setProperty(DIR_PROP, dir.toString());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path otherDir() {
        return dir().resolve("forger");
    }
}
