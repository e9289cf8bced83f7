package dev.shadowshift.monitor.api;

import dev.shadowshift.security.Roles;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import dev.shadowshift.monitor.alerting.Silence;
import dev.shadowshift.monitor.store.SilenceEntity;
import dev.shadowshift.monitor.store.SilenceRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Alertmanager-style silences. Creating and expiring one needs a bearer token with the operator role.
 */
@Path("/api/silences")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Silences")
@PermitAll // reads; shadowshift.auth.protect-reads gates them (ReadAccessPolicy)
public class SilencesApi {

    static final Duration MAX_LENGTH = Duration.ofDays(30);

    /** @param startsAt defaults to now; matchers as Alertmanager's: name, value, isRegex, isEqual (default true) */
    public record NewSilence(List<Silence.Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy, String comment) {
    }

    private final SilenceRepository silences;

    public SilencesApi(SilenceRepository silences) {
        this.silences = silences;
    }

    @GET
    @WithSession
    @Operation(summary = "Silences", description = "Every silence, latest end first; active ones are those between startsAt and endsAt.")
    public Uni<List<Silence>> list() {
        return silences.all();
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @WithTransaction
    @Operation(summary = "Create a silence", description = "Alerts whose labels match every matcher are not sent while it "
            + "is active (they are still evaluated and shown). Needs the operator role.")
    public Uni<Response> create(NewSilence body) {
        Instant now = Instant.now();
        Silence silence;
        try {
            if (body == null || body.matchers() == null || body.endsAt() == null || blank(body.createdBy()) || blank(body.comment())) {
                throw new IllegalArgumentException("a silence needs matchers, endsAt, createdBy and comment");
            }
            Instant starts = body.startsAt() == null ? now : body.startsAt();
            if (Duration.between(starts, body.endsAt()).compareTo(MAX_LENGTH) > 0) {
                throw new IllegalArgumentException("a silence lasts at most " + MAX_LENGTH.toDays() + " days");
            }
            silence = new Silence(UUID.randomUUID(), body.matchers(), starts, body.endsAt(), body.createdBy(), body.comment());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(Response.status(400).entity(Map.of("error", e.getMessage())).build());
        }
        return silences.persist(SilenceEntity.of(silence, now))
                .map(e -> Response.status(201).entity(Map.of("silenceID", silence.id().toString())).build());
    }

    @DELETE
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{id}")
    @WithTransaction
    @Operation(summary = "Expire a silence", description = "Ends it now; its alerts are sent again from the next poll. Needs the operator role.")
    public Uni<Response> expire(@PathParam("id") UUID id) {
        return silences.expire(id, Instant.now()).map(found -> found ? Response.noContent().build()
                : Response.status(404).entity(Map.of("error", "no silence " + id)).build());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
