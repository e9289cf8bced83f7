package dev.shadowshift.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/**
 * An RS256 key pair kept as two PEM files in one folder: {@code jwt-private.pem} (PKCS#8, readable by its owner
 * only) signs tokens, {@code jwt-public.pem} is what the services verify them with
 * ({@code mp.jwt.verify.publickey.location}). {@code ./shadowshift up} makes one under {@code .shadowshift/} on its
 * first start and keeps it, so tokens printed by {@code ./shadowshift token} stay valid across restarts.
 */
public final class LocalKeyPair {

    public static final String PRIVATE_FILE = "jwt-private.pem";
    public static final String PUBLIC_FILE = "jwt-public.pem";

    private final Path folder;
    private final PrivateKey privateKey;

    private LocalKeyPair(Path folder, PrivateKey privateKey) {
        this.folder = folder;
        this.privateKey = privateKey;
    }

    /** The key pair in this folder, made there first if it has none. */
    public static synchronized LocalKeyPair ensure(Path folder) {
        try {
            if (!Files.exists(folder.resolve(PRIVATE_FILE)) || !Files.exists(folder.resolve(PUBLIC_FILE))) {
                create(folder);
            }
            return load(folder);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make or read the token key pair in " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The key pair already in this folder; an exception that says how to get one when there is none. */
    public static LocalKeyPair load(Path folder) throws IOException {
        Path file = folder.resolve(PRIVATE_FILE);
        if (!Files.exists(file)) {
            throw new IOException("no signing key at " + file + ": ./shadowshift up makes one on its first start");
        }
        try {
            byte[] der = pemBody(Files.readString(file, StandardCharsets.US_ASCII));
            return new LocalKeyPair(folder, KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " is not a PKCS#8 RSA private key: " + e.getMessage(), e);
        }
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public PublicKey publicKey() {
        try {
            RSAPrivateCrtKey k = (RSAPrivateCrtKey) privateKey;
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the services read as {@code mp.jwt.verify.publickey.location}. */
    public Path publicKeyFile() {
        return folder.resolve(PUBLIC_FILE);
    }

    private static void create(Path folder) throws IOException {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        Files.createDirectories(folder);
        // written aside and moved into place: a reader never sees half a key, and the private one is never world-readable
        Path privateTmp = Files.createTempFile(folder, "jwt-private", ".tmp");
        try {
            Files.setPosixFilePermissions(privateTmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the folder's own permissions protect it
        }
        Files.writeString(privateTmp, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        Path publicTmp = Files.createTempFile(folder, "jwt-public", ".tmp");
        Files.writeString(publicTmp, pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
        Files.move(publicTmp, folder.resolve(PUBLIC_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(privateTmp, folder.resolve(PRIVATE_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] pemBody(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", ""));
    }
}
