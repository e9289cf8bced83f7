package dev.shadowshift.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokensTest {

    @Test
    void aTokenVerifiesWithThePublicKeyFileAndCarriesItsClaims(@TempDir Path dir) throws Exception {
        LocalKeyPair keys = LocalKeyPair.ensure(dir);
        String token = Tokens.sign(keys.privateKey(), Tokens.LOCAL_ISSUER, Tokens.AUDIENCE, "ann \"o\"", List.of(Roles.OPERATOR), Duration.ofHours(1));
        String[] parts = token.split("\\.");
        assertEquals(3, parts.length);
        String pem = Files.readString(keys.publicKeyFile());
        PublicKey fromFile = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
                Base64.getMimeDecoder().decode(pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", ""))));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(fromFile);
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rs256.verify(Base64.getUrlDecoder().decode(parts[2])));
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertTrue(claims.contains("\"groups\":[\"operator\"]"), claims);
        assertTrue(claims.contains("\"sub\":\"ann \\\"o\\\"\""), claims);
    }

    @Test
    void theKeyPairIsMadeOnceAndKept(@TempDir Path dir) throws Exception {
        LocalKeyPair first = LocalKeyPair.ensure(dir);
        LocalKeyPair again = LocalKeyPair.ensure(dir);
        assertEquals(first.publicKey(), again.publicKey());
        assertEquals(Set.of("OWNER_READ", "OWNER_WRITE"), Files.getPosixFilePermissions(dir.resolve(LocalKeyPair.PRIVATE_FILE))
                .stream().map(Enum::name).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void rolesAndReadsAndSimpleBodies() {
        assertEquals("viewer", Roles.parse(" Viewer "));
        assertThrows(IllegalArgumentException.class, () -> Roles.parse("admin"));
        assertTrue(ReadAccessPolicy.mayRead(false, Set.of()));
        assertFalse(ReadAccessPolicy.mayRead(true, Set.of()));
        assertFalse(ReadAccessPolicy.mayRead(true, Set.of("someone-else")));
        assertTrue(ReadAccessPolicy.mayRead(true, Set.of(Roles.OPERATOR)));
        assertTrue(SafeContentTypes.refused("POST", "text/plain; charset=UTF-8"));
        assertTrue(SafeContentTypes.refused("delete", "application/x-www-form-urlencoded"));
        assertFalse(SafeContentTypes.refused("POST", "application/json"));
        assertFalse(SafeContentTypes.refused("POST", null));
        assertFalse(SafeContentTypes.refused("GET", "text/plain"));
    }
}
