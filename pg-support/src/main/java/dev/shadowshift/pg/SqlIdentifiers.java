package dev.shadowshift.pg;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one place where names become SQL. Every identifier Shadowshift puts into a statement passes through
 * {@link #quote(String)}; values never do, they are bound parameters.
 */
public final class SqlIdentifiers {

    /** PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated by the server, which we never rely on. */
    public static final int MAX_BYTES = 63;
    private static final int HASH_CHARS = 8;

    private SqlIdentifiers() {
    }

    /** Double-quotes a name, doubling embedded quotes. Rejects what PostgreSQL cannot store at all. */
    public static String quote(String name) {
        check(name);
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code "schema"."table"} */
    public static String qualified(String schema, String name) {
        return quote(schema) + "." + quote(name);
    }

    /**
     * A string literal, {@code 'it''s'}, for the few places where a value cannot be a bound parameter (a column
     * DEFAULT in DDL). Only for sessions with {@code standard_conforming_strings = on} (PostgreSQL's default, which
     * the statement runners set for their own sessions), where a backslash is an ordinary character.
     */
    public static String literal(String value) {
        if (value == null) {
            throw new IllegalArgumentException("a literal cannot be null here");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a literal cannot contain a NUL character");
        }
        return "'" + value.replace("'", "''") + "'";
    }

    public static boolean fits(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
    }

    /**
     * Shortens a name to at most 63 bytes, deterministically: the same long name always gives the same short one,
     * and two long names that share a prefix differ in their hash suffix. Names that fit are returned unchanged.
     */
    public static String shorten(String name) {
        check(name);
        if (fits(name)) {
            return name;
        }
        String suffix = "_" + sha256(name).substring(0, HASH_CHARS);
        return prefixWithin(name, MAX_BYTES - suffix.length()) + suffix;
    }

    /** The longest prefix of {@code s} within {@code budget} UTF-8 bytes, never splitting a character. */
    private static String prefixWithin(String s, int budget) {
        StringBuilder prefix = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + len > budget) {
                break;
            }
            prefix.appendCodePoint(cp);
            bytes += len;
            i += Character.charCount(cp);
        }
        return prefix.toString();
    }

    /**
     * {@code base + suffix} within 63 bytes, keeping the suffix whole: when it does not fit, the base is cut and a
     * hash of the whole base keeps it unique. For names whose suffix must stay recognisable (Shadowshift's own
     * working objects end in {@code _ss_<kind>_<id>}).
     */
    public static String withSuffix(String base, String suffix) {
        check(base + suffix);
        if (fits(base + suffix)) {
            return base + suffix;
        }
        String hash = "_" + sha256(base).substring(0, HASH_CHARS);
        return prefixWithin(base, MAX_BYTES - suffix.getBytes(StandardCharsets.UTF_8).length - hash.length()) + hash + suffix;
    }

    private static void check(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("an SQL identifier cannot be empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an SQL identifier cannot contain a NUL character: " + name.replace('\0', '?'));
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
