package dev.shadowshift.migration.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

@Path("/migrations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Migrations", description = "Plans made from spec changes and how their execution stands")
public class MigrationResource {

    private final PlanStore store;

    public MigrationResource(PlanStore store) {
        this.store = store;
    }

    @GET
    @Operation(summary = "List plans, newest first", description = "Without steps and pending changes; fetch one plan for those.")
    public List<MigrationSummary> list(@QueryParam("limit") @DefaultValue("100") int limit) throws SQLException {
        return store.list(Math.max(1, Math.min(limit, 1000))).stream()
                .map(MigrationSummary::of).toList();
    }

    @GET
    @Path("/{planId}")
    @Operation(summary = "One plan: status, steps, pending changes, progress and error")
    public Response get(@PathParam("planId") String planId) throws SQLException {
        return store.find(planId)
                .map(p -> Response.ok(MigrationView.of(p, true)).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                        .entity(Map.of("error", "no migration plan with id '" + planId + "'", "planId", planId)).build());
    }

    /** The list entry: a plan without its (possibly thousands of) steps. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MigrationSummary(String planId, String subject, int version, String target, String schema, String status,
                                   String strategy, String risk, boolean requiresBackup, String backupId, int stepsDone,
                                   int stepsTotal, int pendingChanges, String error, OffsetDateTime createdAt,
                                   OffsetDateTime updatedAt) {
        static MigrationSummary of(StoredPlan s) {
            MigrationPlanned p = s.plan();
            return new MigrationSummary(s.planId(), p.subject(), p.version(), p.target(), p.schema(), s.status(),
                    p.strategy(), p.risk(), p.requiresBackup(), s.backupId(), s.stepsDone(), s.stepsTotal(),
                    p.pending().size(), s.error(), s.createdAt(), s.updatedAt());
        }
    }
}
