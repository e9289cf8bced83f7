package dev.shadowshift.backup.api;

import dev.shadowshift.security.Roles;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import dev.shadowshift.backup.catalog.BackupCatalog;
import dev.shadowshift.backup.catalog.BackupEntry;
import dev.shadowshift.backup.flow.BackupFlow;
import dev.shadowshift.backup.flow.Refused;
import dev.shadowshift.pg.TargetsConfig;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The backup catalog over REST. Every operation is one call into {@link BackupFlow}, which the CLI's
 * {@code ./shadowshift backup} verbs will call through these same endpoints.
 */
@Path("/backups")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Backups", description = "Backups on request, on schedule and for plans; their verification by a restore, pins and restore")
@PermitAll // reads; shadowshift.auth.protect-reads gates them (ReadAccessPolicy)
public class BackupResource {

    private final BackupCatalog catalog;
    private final BackupFlow flow;

    public BackupResource(BackupCatalog catalog, BackupFlow flow) {
        this.catalog = catalog;
        this.flow = flow;
    }

    /** @param tables "schema.table" names; leave it out for the whole target database */
    public record CreateRequest(String target, List<String> tables) {
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Make a backup now", description = "Answers 202 with the backup's id at once; the backup runs in the background "
            + "(pg_dump, then a verification restore into a scratch database) and GET /backups/{id} follows it from RUNNING to "
            + "VERIFIED, CORRUPT or FAILED. No tables means the whole target database. The target defaults to main.")
    public Response create(CreateRequest request, @Context UriInfo uri) throws SQLException {
        String target = request == null || request.target() == null ? TargetsConfig.DEFAULT_TARGET : request.target();
        try {
            BackupEntry started = flow.request(target, request == null ? null : request.tables());
            return Response.accepted(BackupView.of(started))
                    .location(uri.getAbsolutePathBuilder().path(started.backupId()).build()).build();
        } catch (Refused e) {
            return error(e);
        }
    }

    @GET
    @Operation(summary = "List backups, newest first", description = "?target=, ?planId= and ?status= narrow the list")
    public Response list(@QueryParam("target") String target, @QueryParam("planId") String planId, @QueryParam("status") String status,
                         @QueryParam("limit") @DefaultValue("100") int limit) throws SQLException {
        BackupEntry.Status wanted = null;
        if (status != null && !status.isBlank()) {
            try {
                wanted = BackupEntry.Status.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return error(Refused.badRequest("status must be one of " + Arrays.toString(BackupEntry.Status.values()) + ", got '" + status + "'"));
            }
        }
        return Response.ok(catalog.list(blankToNull(target), blankToNull(planId), wanted, Math.max(1, Math.min(limit, 1000)))
                .stream().map(BackupView::of).toList()).build();
    }

    @GET
    @Path("/{backupId}")
    @Operation(summary = "One backup: status, trigger, pins, archive, and each table's rows at dump time and restored")
    public Response get(@PathParam("backupId") String backupId) throws SQLException {
        return catalog.find(backupId).map(e -> Response.ok(BackupView.of(e)).build())
                .orElseGet(() -> error(Refused.notFound(backupId)));
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{backupId}/verify")
    @Operation(summary = "Verify a kept backup again", description = "Checks the archive's sha256 and table of contents, restores it into a "
            + "scratch database created and dropped for the check, and compares each table's rows with the count taken at dump time. "
            + "Answers the backup with status VERIFIED or CORRUPT and each table's restoredRows; 503 when the check itself cannot run "
            + "(the status stays as it was); 409 for a backup without an archive or one being verified already.")
    public Response verify(@PathParam("backupId") String backupId) throws SQLException, InterruptedException {
        try {
            BackupFlow.Verification v = flow.verify(backupId);
            if (v.notRun() != null) {
                return Response.status(503).type(MediaType.APPLICATION_JSON).entity(Map.of("error", "the verification could not run: "
                        + v.notRun(), "status", v.backup().status().name())).build();
            }
            return Response.ok(BackupView.of(v.backup())).build();
        } catch (Refused e) {
            return error(e);
        }
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{backupId}/pin")
    @Operation(summary = "Keep a backup whatever retention says, until it is unpinned")
    public Response pin(@PathParam("backupId") String backupId) throws SQLException {
        return pinned(backupId, true);
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{backupId}/unpin")
    @Operation(summary = "Let retention decide about a backup again", description = "Removes the operator's pin; a plan's pin (its rollback "
            + "window) stays until the window closes, and the answer says so in planPinnedUntil.")
    public Response unpin(@PathParam("backupId") String backupId) throws SQLException {
        return pinned(backupId, false);
    }

    private Response pinned(String backupId, boolean pinned) throws SQLException {
        try {
            return Response.ok(BackupView.of(flow.pin(backupId, pinned))).build();
        } catch (Refused e) {
            return error(e);
        }
    }

    public record RestoreRequest(String database) {
    }

    public record RestoreResult(String backupId, String database, List<String> tables, boolean foreignKeysLeftOut) {
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Path("/{backupId}/restore")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Restore a VERIFIED backup into a new database on the target's server",
            description = "Creates the named database and runs pg_restore --single-transaction --exit-on-error --no-owner into it: all "
                    + "or nothing (a failed restore drops the database again). The name must match shadowshift.backup.restore.allowed-pattern "
                    + "(default restore_.*) and be new (409 when it exists); a target database, a state database, postgres and the "
                    + "templates are refused (409). The archive's checksum is checked first; a CORRUPT backup answers 409. A table "
                    + "backup's restore creates the tables' schemas and leaves out foreign keys (the tables they point to are not in it).")
    public Response restore(@PathParam("backupId") String backupId, RestoreRequest request) throws SQLException, InterruptedException {
        try {
            BackupFlow.Restored r = flow.restore(backupId, request == null ? null : request.database());
            return Response.ok(new RestoreResult(backupId, r.database(), r.backup().tables(), r.foreignKeysLeftOut())).build();
        } catch (Refused e) {
            return error(e);
        }
    }

    static Response error(Refused e) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(Map.of("error", e.getMessage())).build();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
