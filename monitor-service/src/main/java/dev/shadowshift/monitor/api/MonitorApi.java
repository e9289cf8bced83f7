package dev.shadowshift.monitor.api;

import jakarta.annotation.security.PermitAll;
import dev.shadowshift.monitor.dashboard.DashboardFeed;
import dev.shadowshift.monitor.dashboard.MigrationStatus;
import dev.shadowshift.monitor.store.AlertHistoryRepository;
import dev.shadowshift.monitor.store.AlertStateRepository;
import dev.shadowshift.monitor.store.PlanTablesRepository;
import dev.shadowshift.monitor.store.MigrationProgressRepository;
import dev.shadowshift.pg.TargetDatabases;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The JSON the dashboard (and anyone else) reads, and its live stream. Read-only; all of it non-blocking. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll // reads; shadowshift.auth.protect-reads gates them (ReadAccessPolicy)
public class MonitorApi {

    static final int MAX_HISTORY = 500;
    static final int MAX_MIGRATIONS = 200;

    /** What one message of the dashboard's stream carries: everything the page shows. */
    public record DashboardView(Instant at, List<AlertView> alerts, List<TargetSummary> targets, List<MigrationStatus> migrations) {
    }

    private final AlertStateRepository alerts;
    private final AlertHistoryRepository history;
    private final MigrationProgressRepository migrations;
    private final PlanTablesRepository plans;
    private final DashboardFeed feed;
    private final TargetDatabases targets;

    public MonitorApi(AlertStateRepository alerts, AlertHistoryRepository history, MigrationProgressRepository migrations,
                      PlanTablesRepository plans, DashboardFeed feed, TargetDatabases targets) {
        this.plans = plans;
        this.alerts = alerts;
        this.history = history;
        this.migrations = migrations;
        this.feed = feed;
        this.targets = targets;
    }

    @GET
    @Path("/alerts")
    @WithSession
    @Tag(name = "Alerts")
    @Operation(summary = "Alerts firing or pending now",
            description = "One entry per alert series that fires or waits out its for period, firing and most severe "
                    + "first: Alertmanager's labels, annotations and fingerprint, plus status (firing or pending), the last "
                    + "measured value and threshold, and suppressedBy when a silence or target_unreachable holds it back.")
    public Uni<List<AlertView>> live() {
        return alerts.live().map(l -> l.stream().map(AlertView::of).toList());
    }

    @GET
    @Path("/alerts/history")
    @WithSession
    @Tag(name = "Alerts")
    @Operation(summary = "Recent alert episodes", description = "Firing and resolved episodes, most recently changed first.")
    public Uni<List<AlertView>> history(
            @Parameter(description = "How many episodes, at most " + MAX_HISTORY) @QueryParam("limit") @DefaultValue("100") int limit) {
        return history.recent(Math.max(1, Math.min(MAX_HISTORY, limit))).map(l -> l.stream().map(AlertView::of).toList());
    }

    @GET
    @Path("/migrations")
    @WithSession
    @Tag(name = "Migrations")
    @Operation(summary = "Latest progress per migration plan",
            description = "The newest migration-progress event of every plan seen, most recently updated first, with the "
                    + "tables the plan touches (from its migration-planned).")
    public Uni<List<MigrationStatus>> migrations() {
        return latestMigrations();
    }

    private Uni<List<MigrationStatus>> latestMigrations() {
        return migrations.latest(MAX_MIGRATIONS).chain(l -> plans.of(l.stream().map(m -> m.planId).toList())
                .map(tables -> l.stream().map(m -> m.toStatus().withTables(tables.get(m.planId)).withLive(feed.plan(m.planId)))
                        .toList()));
    }

    @GET
    @Path("/targets")
    @Tag(name = "Targets")
    @Operation(summary = "Last poll per target",
            description = "Connections, the oldest non-idle sessions (literals redacted), the tables with the most dead "
                    + "tuples, each rule's outcome on the last poll, and the recent samples for charts.")
    public List<TargetSummary> targets() {
        return targets.names().stream().map(t -> TargetSummary.of(t, targets.endpoint(t).database(),
                feed.of(t).orElse(null), feed.evaluation(t).orElse(null), feed.samples(t))).toList();
    }

    @GET
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Tag(name = "Dashboard")
    @Operation(summary = "Live dashboard data (server-sent events)",
            description = "Everything the dashboard shows, sent at once, after every poll and at least every 5 s.")
    public Multi<DashboardView> stream() {
        return Multi.createBy().merging().streams(
                        Multi.createFrom().item("start"),
                        feed.polls(),
                        Multi.createFrom().ticks().every(Duration.ofSeconds(5)).map(t -> "tick"))
                .onOverflow().drop()
                .onItem().transformToUni(x -> view()).concatenate();
    }

    private Uni<DashboardView> view() {
        return Panache.withSession(() -> alerts.live().map(l -> l.stream().map(AlertView::of).toList())
                .chain(live -> latestMigrations().map(m -> new DashboardView(Instant.now(), live, targets(), m))));
    }
}
