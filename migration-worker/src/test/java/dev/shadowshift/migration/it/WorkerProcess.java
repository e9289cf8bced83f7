package dev.shadowshift.migration.it;

import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.migration.config.MigrationConfig;
import dev.shadowshift.migration.plan.ShadowRebuild;
import dev.shadowshift.migration.shadow.ShadowEngine;
import dev.shadowshift.migration.shadow.ShadowStore;
import dev.shadowshift.migration.shadow.Throttle;
import dev.shadowshift.migration.store.PlanStore;
import dev.shadowshift.migration.store.StoredPlan;
import dev.shadowshift.migration.support.Announcements;
import dev.shadowshift.pg.TargetDatabases;
import dev.shadowshift.pg.TargetsConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.HashMap;
import java.util.Map;

/**
 * The worker's shadow engine in a process of its own, for the tests that kill it with SIGKILL mid-migration: it runs
 * one stored plan's first rebuild with the worker's settings (defaults, plus {@code shadowshift.*} system
 * properties) and prints every progress message on stdout, one line each, prefixed with {@code PROGRESS }. The
 * state and target databases and the worker's role come from the environment (SHADOWSHIFT_STATE_DB_URL,
 * SHADOWSHIFT_TARGET_URL, SHADOWSHIFT_DB_USER, SHADOWSHIFT_DB_PASSWORD), as the worker reads them: it must be the
 * role of the test's own worker, which resumes what this one leaves.
 */
public final class WorkerProcess {

    private WorkerProcess() {
    }

    public static void main(String[] args) throws Exception {
        String planId = args[0];
        Map<String, String> settings = new HashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("shadowshift."))
                .forEach(k -> settings.put(k, System.getProperty(k)));
        settings.put("shadowshift.targets.main.jdbc-url", System.getenv("SHADOWSHIFT_TARGET_URL"));
        String user = System.getenv("SHADOWSHIFT_DB_USER");
        String password = System.getenv().getOrDefault("SHADOWSHIFT_DB_PASSWORD", "");
        settings.put("shadowshift.targets.main.username", user);
        settings.put("shadowshift.targets.main.password", password);
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDiscoveredConverters().withMapping(MigrationConfig.class).withMapping(TargetsConfig.class)
                .withSources(new PropertiesConfigSource(settings, "worker-process", 500)).build();
        MigrationConfig migration = config.getConfigMapping(MigrationConfig.class);
        PGSimpleDataSource state = new PGSimpleDataSource();
        state.setUrl(System.getenv("SHADOWSHIFT_STATE_DB_URL"));
        state.setUser(user);
        state.setPassword(password);
        PlanStore plans = new PlanStore(state);
        Announcements out = new Announcements() {
            @Override
            public void planned(MigrationPlanned plan) {
            }

            @Override
            public void progress(MigrationProgress p) {
                System.out.println("PROGRESS " + p.phase() + " " + p.message().replace('\n', ' '));
                System.out.flush();
            }
        };
        ShadowEngine engine = new ShadowEngine(new TargetDatabases(config.getConfigMapping(TargetsConfig.class)), new ShadowStore(state),
                plans, out, migration, new Throttle(migration));
        StoredPlan plan = plans.find(planId).orElseThrow();
        ShadowRebuild rebuild = plans.rebuilds(planId).get(0);
        System.out.println("OUTCOME " + engine.run(new ShadowEngine.Progress(plan, 0, 4), rebuild));
    }
}
