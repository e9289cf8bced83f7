package dev.shadowshift.cli;

import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.flow.ForegroundRunner;
import dev.shadowshift.migration.flow.MigrationFlow;
import dev.shadowshift.migration.flow.PlanExecution;
import dev.shadowshift.migration.flow.RetryPolicy;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowStore;
import dev.shadowshift.migration.shadow.Throttle;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.support.Announcements;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.pg.TargetsConfig;
import dev.shadowshift.pg.cli.DatabaseUrl;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The migration worker's parts, wired by hand for the CLI: no CDI, no Kafka, the plans and checkpoints in a schema
 * of the target database itself, and the same flow, execution, engine and retry policy as the worker.
 */
record MigrationEngine(MigrationConfig config, TargetDatabases targets, PlanStore plans, MigrationFlow flow, PlanExecution execution,
                       ForegroundRunner runner) {

    static MigrationEngine start(DatabaseUrl db, String stateSchema, Map<String, String> settings, Announcements announcements,
                                 PrintStream err) {
        Map<String, String> props = new LinkedHashMap<>(settings);
        String target = TargetsConfig.DEFAULT_TARGET;
        props.put("shadowshift.targets." + target + ".jdbc-url", db.jdbcUrl());
        props.put("shadowshift.targets." + target + ".username", db.user());
        if (db.password() != null) {
            props.put("shadowshift.targets." + target + ".password", db.password());
        }
        // environment variables (SHADOWSHIFT_MIGRATION_...) override the defaults, as for the worker; flags override both
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultSources()
                .withSources(new PropertiesConfigSource(props, "command line", 500))
                // someone watches the bar: redraw it more often than the worker publishes events (env still wins)
                .withSources(new PropertiesConfigSource(Map.of("shadowshift.migration.progress-interval", "1s",
                        "shadowshift.migration.progress-every-tables", "5",
                        "shadowshift.migration.shadow.progress-interval", "500ms",
                        // the run exits after its cutover: no process stays to drain a slot and bound its WAL
                        "shadowshift.migration.rollback-window-capture", "trigger"), "interactive defaults", 10))
                // "500ms", "2s" as in application.properties: Quarkus' spelling, not only ISO-8601
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withMapping(MigrationConfig.class).withMapping(TargetsConfig.class).build();
        MigrationConfig migration = config.getConfigMapping(MigrationConfig.class);
        TargetDatabases targets = new TargetDatabases(config.getConfigMapping(TargetsConfig.class));

        PGSimpleDataSource state = new PGSimpleDataSource();
        state.setURL(db.jdbcUrl());
        state.setUser(db.user());
        if (db.password() != null) {
            state.setPassword(db.password());
        }
        state.setCurrentSchema(stateSchema);
        state.setApplicationName("shadowshift-migrate");
        state.setConnectTimeout(10);
        Flyway.configure(MigrationEngine.class.getClassLoader()).dataSource(state).schemas(stateSchema).createSchemas(true)
                .locations("classpath:db/worker").load().migrate();

        PlanStore plans = new PlanStore(state);
        ShadowStore shadows = new ShadowStore(state);
        ShadowEngine shadow = new ShadowEngine(targets, shadows, plans, announcements, migration, new Throttle(migration));
        try {
            // no worker looks after this state schema's rollback windows: each run closes those whose time is up
            shadow.cleanExpired();
        } catch (java.sql.SQLException e) {
            err.println("shadowshift | cannot close the rollback windows whose time is up: " + e.getMessage() + " (the next run tries again)");
        }
        ForegroundRunner runner = new ForegroundRunner(err);
        PlanExecution execution = new PlanExecution(plans, targets, announcements, migration, shadow);
        runner.use(execution, new RetryPolicy(migration));
        MigrationFlow flow = new MigrationFlow(plans, shadows, targets, announcements, runner, shadow);
        return new MigrationEngine(migration, targets, plans, flow, execution, runner);
    }
}
