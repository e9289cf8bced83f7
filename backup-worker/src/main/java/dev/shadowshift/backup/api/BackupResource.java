package dev.shadowshift.backup.api;

import dev.shadowshift.backup.catalog.BackupCatalog;
import dev.shadowshift.backup.catalog.BackupEntry;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

@Path("/backups")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Backups", description = "The catalog of verified pre-migration backups, and restoring one")
public class BackupResource {

    private final BackupCatalog catalog;
    private final RestoreService restores;

    public BackupResource(BackupCatalog catalog, RestoreService restores) {
        this.catalog = catalog;
        this.restores = restores;
    }

    @GET
    @Operation(summary = "List backups, newest first", description = "?planId= narrows the list to one plan's backup")
    public List<BackupEntry> list(@QueryParam("planId") String planId, @QueryParam("limit") @DefaultValue("100") int limit)
            throws SQLException {
        return catalog.list(planId == null || planId.isBlank() ? null : planId, Math.max(1, Math.min(limit, 1000)));
    }

    @GET
    @Path("/{backupId}")
    @Operation(summary = "One catalog entry")
    public Response get(@PathParam("backupId") String backupId) throws SQLException {
        return catalog.find(backupId).map(e -> Response.ok(e).build())
                .orElseGet(() -> error(Response.Status.NOT_FOUND, "no backup with id '" + backupId + "'"));
    }

    public record RestoreRequest(String database) {
    }

    public record RestoreResult(String backupId, String database, List<String> tables) {
    }

    @POST
    @Path("/{backupId}/restore")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Restore a backup into a database on the target's server",
            description = "Runs pg_restore --no-owner --exit-on-error into the named database, which must exist and must not "
                    + "be the live target database itself. The archive's checksum is checked first.")
    public Response restore(@PathParam("backupId") String backupId, RestoreRequest request)
            throws SQLException, IOException, InterruptedException {
        String database = request == null ? null : request.database();
        if (database == null || !RestoreService.DATABASE_NAME.matcher(database).matches()) {
            return error(Response.Status.BAD_REQUEST, "database must match " + RestoreService.DATABASE_NAME.pattern()
                    + ", got " + (database == null ? "nothing" : "'" + database + "'"));
        }
        var entry = catalog.find(backupId);
        if (entry.isEmpty()) {
            return error(Response.Status.NOT_FOUND, "no backup with id '" + backupId + "'");
        }
        RestoreService.Result result = restores.restore(entry.get(), database);
        if (result.problem() != null) {
            return error(result.status(), result.problem());
        }
        return Response.ok(new RestoreResult(backupId, database, entry.get().tables())).build();
    }

    static Response error(Response.Status status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }
}
