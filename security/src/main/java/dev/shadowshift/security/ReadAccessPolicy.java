package dev.shadowshift.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Set;

/**
 * Who may read (GET, HEAD): anyone while {@code shadowshift.auth.protect-reads} is false (the default, as in
 * {@code ./shadowshift up}); with it true, a token with any of the three roles. An anonymous caller refused here gets
 * 401 with a {@code WWW-Authenticate: Bearer} challenge, a token without a role 403. Probes and /q/metrics never come
 * here: they are open (see this module's microprofile-config.properties).
 */
@ApplicationScoped
public class ReadAccessPolicy implements HttpSecurityPolicy {

    public static final String NAME = "shadowshift-reads";

    private final boolean protectReads;

    public ReadAccessPolicy(@ConfigProperty(name = "shadowshift.auth.protect-reads", defaultValue = "false") boolean protectReads) {
        this.protectReads = protectReads;
    }

    @Override
    public Uni<CheckResult> checkPermission(RoutingContext request, Uni<SecurityIdentity> identity,
                                            AuthorizationRequestContext context) {
        if (!protectReads) {
            return CheckResult.permit();
        }
        return identity.map(who -> mayRead(true, who.isAnonymous() ? Set.of() : who.getRoles()) ? CheckResult.PERMIT : CheckResult.DENY);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The rule itself: reads are open, or need one of the roles. */
    public static boolean mayRead(boolean protectReads, Set<String> roles) {
        return !protectReads || Roles.ALL.stream().anyMatch(roles::contains);
    }
}
