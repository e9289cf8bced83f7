package dev.shadowshift.security;

import java.util.List;

/**
 * The three roles a bearer token's {@code groups} claim can carry (Keycloak users point
 * {@code smallrye.jwt.path.groups} at {@code realm_access/roles} instead). They do not imply one another: a token for
 * an on-call operator who also registers specs carries both.
 */
public final class Roles {

    /** Registers specs: POST /subjects/{subject}/versions. */
    public static final String PUBLISHER = "publisher";
    /** Approves, pauses, resumes, cancels and rolls back migrations; makes, verifies, pins and restores backups; silences alerts. */
    public static final String OPERATOR = "operator";
    /** Reads, when {@code shadowshift.auth.protect-reads=true}; otherwise reads need no token. */
    public static final String VIEWER = "viewer";

    /** Every role, in the order the docs list them. */
    public static final List<String> ALL = List.of(PUBLISHER, OPERATOR, VIEWER);

    private Roles() {
    }

    /** The role named, or an exception naming the roles there are. */
    public static String parse(String name) {
        String role = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
        if (!ALL.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + name + "': one of " + String.join(", ", ALL));
        }
        return role;
    }
}
