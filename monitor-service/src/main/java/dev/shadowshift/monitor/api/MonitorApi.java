package dev.shadowshift.monitor.api;

import dev.shadowshift.monitor.alerting.ActiveAlert;
import dev.shadowshift.monitor.alerting.AlertStore;
import dev.shadowshift.monitor.dashboard.MigrationProgressStore;
import dev.shadowshift.monitor.dashboard.MigrationStatus;
import dev.shadowshift.monitor.poll.LatestSnapshots;
import dev.shadowshift.pg.TargetDatabases;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.SQLException;
import java.util.List;

/** The JSON the dashboard (and anyone else) reads. Read-only. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class MonitorApi {

    static final int MAX_HISTORY = 500;

    private final AlertStore alerts;
    private final MigrationProgressStore migrations;
    private final LatestSnapshots snapshots;
    private final TargetDatabases targets;

    public MonitorApi(AlertStore alerts, MigrationProgressStore migrations, LatestSnapshots snapshots, TargetDatabases targets) {
        this.alerts = alerts;
        this.migrations = migrations;
        this.snapshots = snapshots;
        this.targets = targets;
    }

    @GET
    @Path("/alerts")
    @Tag(name = "Alerts")
    @Operation(summary = "Alerts firing now",
            description = "One entry per firing alert, most severe first. Same fields as the alerts topic's events, "
                    + "plus lastSeenAt (the last poll that saw the condition).")
    public List<ActiveAlert> firing() throws SQLException {
        return alerts.allFiring();
    }

    @GET
    @Path("/alerts/history")
    @Tag(name = "Alerts")
    @Operation(summary = "Recent alert episodes", description = "Firing and resolved episodes, most recently changed first.")
    public List<ActiveAlert> history(
            @Parameter(description = "How many episodes, at most " + MAX_HISTORY) @QueryParam("limit") @DefaultValue("100") int limit)
            throws SQLException {
        return alerts.history(Math.max(1, Math.min(MAX_HISTORY, limit)));
    }

    @GET
    @Path("/migrations")
    @Tag(name = "Migrations")
    @Operation(summary = "Latest progress per migration plan",
            description = "The newest migration-progress event of every plan seen, most recently updated first.")
    public List<MigrationStatus> migrations() {
        return migrations.latest();
    }

    @GET
    @Path("/targets")
    @Tag(name = "Targets")
    @Operation(summary = "Last poll per target",
            description = "Connections, longest active queries (literals redacted) and the tables with the most dead tuples.")
    public List<TargetSummary> targets() {
        return targets.names().stream().map(t -> TargetSummary.of(t, snapshots.of(t).orElse(null))).toList();
    }
}
