package dev.shadowshift.monitor.snapshot;

import dev.shadowshift.monitor.config.MonitorConfig;
import dev.shadowshift.pg.PgEndpoint;
import dev.shadowshift.pg.TargetDatabases;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Vert.x PostgreSQL pool per target, for the pg_stat reads. A pool keeps its connections between polls, so a
 * poll does not pay for a connection (and its cold catalog caches) each time; its sessions identify themselves as
 * {@code shadowshift-monitor}, are read-only, and cannot run longer than the query timeout or wait long for a lock.
 */
@ApplicationScoped
public class TargetPools {

    public static final String APPLICATION_NAME = "shadowshift-monitor";

    private final TargetDatabases targets;
    private final MonitorConfig config;
    private final Vertx vertx;
    private final Map<String, Pool> pools = new ConcurrentHashMap<>();

    public TargetPools(TargetDatabases targets, MonitorConfig config, Vertx vertx) {
        this.targets = targets;
        this.config = config;
        this.vertx = vertx;
    }

    public Pool of(String target) {
        return pools.computeIfAbsent(target, this::create);
    }

    public String database(String target) {
        return targets.endpoint(target).database();
    }

    private Pool create(String target) {
        PgEndpoint e = targets.endpoint(target);
        PgConnectOptions connect = new PgConnectOptions()
                .setHost(e.host())
                .setPort(e.port())
                .setDatabase(e.database())
                .setUser(e.user())
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.queryTimeout().toMillis()))
                .setReconnectAttempts(0)
                .setCachePreparedStatements(true)
                .addProperty("application_name", APPLICATION_NAME)
                .addProperty("statement_timeout", Long.toString(Math.max(1, config.queryTimeout().toMillis())))
                .addProperty("lock_timeout", "2000")
                .addProperty("default_transaction_read_only", "on");
        e.password().ifPresent(connect::setPassword);
        PoolOptions pool = new PoolOptions()
                .setName("monitor-" + target)
                .setMaxSize(Math.max(1, config.targetPoolSize()))
                // a poll waits no longer for a connection than for a query; then the target counts as unreachable
                .setConnectionTimeout((int) Math.max(1, config.queryTimeout().toSeconds()))
                .setIdleTimeout(10)
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MINUTES);
        return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
    }

    @PreDestroy
    void close() {
        pools.values().forEach(p -> p.close().subscribe().with(v -> { }, t -> { }));
        pools.clear();
    }
}
