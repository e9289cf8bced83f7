package dev.shadowshift.cli;

import dev.shadowshift.localstack.LocalStack;
import dev.shadowshift.security.LocalKeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Signature;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code token} signs with the key pair {@code up} made under .shadowshift/jwt/, which the services verify with. */
class TokenCommandTest {

    @TempDir
    Path home;

    @AfterEach
    void reset() {
        System.clearProperty("shadowshift.home");
    }

    @Test
    void printsATokenSignedWithUpsKeyCarryingTheRolesAndTtl() throws Exception {
        System.setProperty("shadowshift.home", home.toString());
        LocalKeyPair keys = LocalKeyPair.ensure(LocalStack.keyFolder(home.resolve(".shadowshift"))); // as up makes it
        CliRun r = CliRun.run(SchemaDiff::readSpec, "token", "--role=operator,viewer", "--ttl=5m");
        assertEquals(0, r.code(), r.toString());
        String[] parts = r.out().trim().split("\\.");
        assertEquals(3, parts.length, r.out());
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(keys.publicKey());
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rs256.verify(Base64.getUrlDecoder().decode(parts[2])), "signed with up's key");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertTrue(claims.contains("\"groups\":[\"operator\",\"viewer\"]"), claims);
        long iat = Long.parseLong(claims.replaceAll(".*\"iat\":(\\d+).*", "$1"));
        long exp = Long.parseLong(claims.replaceAll(".*\"exp\":(\\d+).*", "$1"));
        assertEquals(300, exp - iat, claims);
    }

    @Test
    void anUnknownRoleIsInvalidAndNoKeySaysToStartUp() {
        System.setProperty("shadowshift.home", home.toString());
        CliRun none = CliRun.run(SchemaDiff::readSpec, "token", "--role=operator");
        assertEquals(1, none.code(), none.toString());
        assertTrue(none.err().contains("./shadowshift up"), none.toString());
        CliRun bad = CliRun.run(SchemaDiff::readSpec, "token", "--role=admin");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("publisher, operator, viewer"), bad.toString());
        assertEquals(2, CliRun.run(SchemaDiff::readSpec, "token").code(), "--role is required");
    }
}
