package dev.shadowshift.migration.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.migration.flow.MigrationFlow;
import dev.shadowshift.migration.plan.Plan;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.shadow.ShadowDryRun;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowFailure;
import dev.shadowshift.pg.TargetDatabases;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

@Path("/migrations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Migrations", description = "Plans made from spec changes and how their execution stands")
public class MigrationResource {

    private final PlanStore store;
    private final MigrationFlow flow;
    private final ShadowEngine engine;
    private final TargetDatabases targets;

    public MigrationResource(PlanStore store, MigrationFlow flow, ShadowEngine engine, TargetDatabases targets) {
        this.store = store;
        this.flow = flow;
        this.engine = engine;
        this.targets = targets;
    }

    @POST
    @Path("/{planId}/{action: approve|pause|resume|cancel|rollback}")
    @Operation(summary = "Approve (drops, narrowing type changes, keys on live tables), pause, resume, cancel or roll back a plan",
            description = "202 with the new status; 409 with the reason when the plan's status does not allow it.")
    public Response act(@PathParam("planId") String planId, @PathParam("action") String action) throws SQLException {
        Optional<StoredPlan> plan = store.find(planId);
        if (plan.isEmpty()) {
            return notFound(planId);
        }
        MigrationFlow.Result result = switch (action) {
            case "approve" -> flow.approve(plan.get());
            case "pause" -> flow.pause(plan.get());
            case "resume" -> flow.resume(plan.get());
            case "cancel" -> flow.cancel(plan.get());
            default -> flow.rollback(plan.get());
        };
        Map<String, String> body = new LinkedHashMap<>();
        body.put("planId", planId);
        body.put("action", action);
        body.put("status", result.status());
        if (!result.accepted()) {
            body.put("error", result.reason());
            return Response.status(Response.Status.CONFLICT).type(MediaType.APPLICATION_JSON).entity(body).build();
        }
        return Response.accepted(body).type(MediaType.APPLICATION_JSON).build();
    }

    /**
     * The plan, the SQL of each step (rendered here from the typed steps), the preflight results and the SQL of each
     * shadow rebuild, with nothing changed.
     */
    public record DryRun(MigrationPlanned plan, List<SqlPreview.StepSql> statements, List<ShadowDryRun> shadowRebuilds,
                         List<String> errors) {
    }

    @GET
    @Path("/{planId}/dry-run")
    @Operation(summary = "Dry run of a stored plan: its steps, the preflight of each shadow rebuild and the SQL; nothing changes")
    public Response dryRun(@PathParam("planId") String planId) throws SQLException {
        Optional<StoredPlan> plan = store.find(planId);
        if (plan.isEmpty()) {
            return notFound(planId);
        }
        return Response.ok(dryRun(plan.get().plan(), store.rebuilds(planId))).build();
    }

    @POST
    @Path("/dry-run")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Dry run of a spec-changed payload: the plan it would make, the preflight results and the SQL; nothing is stored or changed")
    public Response dryRun(SpecChanged spec) throws SQLException {
        if (spec == null || spec.changes() == null || spec.target() == null || spec.schema() == null) {
            return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "the body must be a spec-changed payload with target, schema and changes")).build();
        }
        if (!targets.exists(spec.target())) {
            return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "no target named '" + spec.target() + "' is configured")).build();
        }
        String planId = "dry-run-" + UUID.randomUUID();
        Plan planned;
        try {
            dev.shadowshift.contracts.EventSchemas.validateData(dev.shadowshift.contracts.EventType.SPEC_CHANGED,
                    dev.shadowshift.contracts.EventCodec.mapper().valueToTree(spec));
            planned = flow.preview(planId, spec);
        } catch (InvalidEventException e) {
            return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON).entity(Map.of("error", e.getMessage())).build();
        }
        return Response.ok(dryRun(planned.announced(), planned.rebuilds())).build();
    }

    private DryRun dryRun(MigrationPlanned plan, List<ShadowRebuild> rebuilds) throws SQLException {
        List<ShadowDryRun> runs = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (ShadowRebuild rebuild : rebuilds) {
            try {
                runs.add(engine.dryRun(plan.target(), plan.planId(), rebuild));
            } catch (ShadowFailure e) {
                errors.add(e.getMessage());
            }
        }
        return new DryRun(plan, SqlPreview.of(plan), runs, errors);
    }

    private static Response notFound(String planId) {
        return Response.status(Response.Status.NOT_FOUND).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "no migration plan with id '" + planId + "'", "planId", planId)).build();
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
                                   int stepsTotal, int pendingChanges, String error, String holdReason, OffsetDateTime createdAt,
                                   OffsetDateTime updatedAt) {
        static MigrationSummary of(StoredPlan s) {
            MigrationPlanned p = s.plan();
            return new MigrationSummary(s.planId(), p.subject(), p.version(), p.target(), p.schema(), s.state().name(),
                    p.strategy(), p.risk(), p.requiresBackup(), s.backupId(), s.stepsDone(), s.stepsTotal(),
                    p.pending().size(), s.error(), s.holdReason(), s.createdAt(), s.updatedAt());
        }
    }
}
