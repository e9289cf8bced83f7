package dev.shadowshift.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Signs RS256 bearer tokens the services accept: {@code iss}, {@code aud}, {@code sub}/{@code upn}, the roles in
 * {@code groups}, {@code iat}/{@code exp}. Used by {@code ./shadowshift token}, by the local stack's own requests and
 * by the tests; a real deployment gets its tokens from its OIDC issuer instead.
 */
public final class Tokens {

    /** The issuer and audience the services expect unless configured otherwise (MP_JWT_VERIFY_ISSUER, MP_JWT_VERIFY_AUDIENCES). */
    public static final String LOCAL_ISSUER = "shadowshift-local";
    public static final String AUDIENCE = "shadowshift";

    private Tokens() {
    }

    public static String sign(PrivateKey key, String issuer, String audience, String subject, Collection<String> roles, Duration ttl) {
        return sign(key, issuer, audience, subject, roles, Instant.now(), ttl);
    }

    /** @param issuedAt when the token starts; a test dates it back to make an expired one */
    public static String sign(PrivateKey key, String issuer, String audience, String subject, Collection<String> roles,
                              Instant issuedAt, Duration ttl) {
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"iss\":" + json(issuer) + ",\"aud\":" + json(audience) + ",\"sub\":" + json(subject)
                + ",\"upn\":" + json(subject) + ",\"groups\":[" + roles.stream().map(Tokens::json).collect(Collectors.joining(","))
                + "],\"iat\":" + issuedAt.getEpochSecond() + ",\"exp\":" + issuedAt.plus(ttl).getEpochSecond()
                + ",\"jti\":" + json(UUID.randomUUID().toString()) + "}";
        String signingInput = b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
    }

    /** The same claims, unsigned ({@code alg: none}): what a forger sends; the services must refuse it. */
    public static String unsigned(String issuer, String audience, String subject, Collection<String> roles, Duration ttl) {
        String signed = sign(throwawayKey(), issuer, audience, subject, roles, ttl);
        String payload = signed.split("\\.")[1];
        return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "." + payload + ".";
    }

    private static PrivateKey throwawayKey() {
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair().getPrivate();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
