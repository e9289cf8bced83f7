package dev.shadowshift.monitor;

import dev.shadowshift.testkit.DatabaseRoles;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.shadowshift.testkit.DatabaseRoles.Service.MONITOR;

/**
 * Thresholds low enough that a test provokes each condition in seconds, and three more targets: {@code late}, a
 * database that does not exist until a test creates it, {@code blackhole}, an address that accepts connections and
 * never answers (a hung server), and {@code replica}, where a test starts a streaming standby of the test server.
 */
public class ConditionsProfile implements QuarkusTestProfile {

    static final String LATE_DB = "late_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("quarkus.log.category.\"dev.shadowshift.monitor.poll\".level", "DEBUG"),
                Map.entry("shadowshift.monitor.slow-poll-interval", "2s"),
                Map.entry("shadowshift.monitor.query-timeout", "30s"),
                Map.entry("shadowshift.monitor.rules.connection_saturation.warning", "0.2"),
                Map.entry("shadowshift.monitor.rules.connection_saturation.for", "0s"),
                Map.entry("shadowshift.monitor.rules.idle_in_transaction.warning", "1s"),
                Map.entry("shadowshift.monitor.rules.idle_in_transaction.critical", "10m"),
                Map.entry("shadowshift.monitor.rules.blocked_queries.warning", "1s"),
                Map.entry("shadowshift.monitor.rules.blocked_queries.critical", "10m"),
                Map.entry("shadowshift.monitor.rules.rollback_ratio.warning", "0.3"),
                Map.entry("shadowshift.monitor.rules.rollback_ratio.critical", "1.0"),
                Map.entry("shadowshift.monitor.rules.rollback_ratio.for", "0s"),
                Map.entry("shadowshift.monitor.rules.rollback_ratio.min-transactions", "50"),
                Map.entry("shadowshift.monitor.rules.cache_hit_ratio.critical", "0.01"),
                Map.entry("shadowshift.monitor.rules.cache_hit_ratio.for", "0s"),
                Map.entry("shadowshift.monitor.rules.temp_files.warning", "1"),
                Map.entry("shadowshift.monitor.rules.slow_queries.warning", "200ms"),
                Map.entry("shadowshift.monitor.rules.slow_queries.critical", "1h"),
                Map.entry("shadowshift.monitor.rules.slow_queries.min-calls", "2"),
                Map.entry("shadowshift.monitor.rules.table_not_vacuumed.warning", "1s"),
                Map.entry("shadowshift.monitor.rules.table_not_analyzed.warning", "1s"),
                Map.entry("shadowshift.monitor.rules.unused_index.warning", "1s"),
                Map.entry("shadowshift.monitor.rules.unused_index.min-size", "0"),
                Map.entry("shadowshift.monitor.rules.xid_wraparound.warning", "100000"),
                Map.entry("shadowshift.monitor.rules.replication_lag.warning", "2s"),
                Map.entry("shadowshift.monitor.rules.replication_lag.critical", "10m"),
                Map.entry("shadowshift.monitor.rules.replication_lag.for", "0s"),
                Map.entry("shadowshift.monitor.rules.replication_slot_inactive.warning", "1K"),
                Map.entry("shadowshift.monitor.rules.replication_slot_inactive.for", "0s"),
                Map.entry("shadowshift.monitor.rules.database_size_growth.warning", "0.05"),
                Map.entry("shadowshift.monitor.rules.database_size_growth.critical", "1.0"),
                Map.entry("shadowshift.monitor.rules.database_size_growth.window", "6s"),
                Map.entry("shadowshift.monitor.rules.database_size_growth.min-growth", "1M"),
                Map.entry("shadowshift.monitor.rules.backup_too_old.warning", "1h"),
                Map.entry("shadowshift.monitor.rules.migration_stalled.warning", "30m"));
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(ExtraTargets.class));
    }

    /** Starts the black hole and names both extra targets. */
    public static class ExtraTargets implements QuarkusTestResourceLifecycleManager {

        static final List<Socket> HELD = new CopyOnWriteArrayList<>();
        static volatile int replicaPort;
        private ServerSocket blackhole;

        @Override
        public Map<String, String> start() {
            PostgresServer pg = Infrastructure.shared().postgres();
            try {
                blackhole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread acceptor = new Thread(() -> {
                while (!blackhole.isClosed()) {
                    try {
                        HELD.add(blackhole.accept()); // accepted, never answered
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "blackhole");
            acceptor.setDaemon(true);
            acceptor.start();
            try (ServerSocket free = new ServerSocket(0)) {
                replicaPort = free.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of(
                    "shadowshift.targets.replica.jdbc-url", "jdbc:postgresql://localhost:" + replicaPort + "/postgres",
                    // the standby is a copy of the test server, roles and all: the monitor's role there too
                    "shadowshift.targets.replica.username", MONITOR.role(),
                    "shadowshift.targets.replica.password", DatabaseRoles.password(MONITOR),
                    "shadowshift.targets.late.jdbc-url", pg.jdbcUrl(LATE_DB),
                    "shadowshift.targets.late.username", MONITOR.role(),
                    "shadowshift.targets.late.password", DatabaseRoles.password(MONITOR),
                    "shadowshift.targets.blackhole.jdbc-url", "jdbc:postgresql://127.0.0.1:" + blackhole.getLocalPort() + "/nothing",
                    "shadowshift.targets.blackhole.username", "nobody");
        }

        @Override
        public void stop() {
            try {
                blackhole.close();
                for (Socket s : HELD) {
                    s.close();
                }
            } catch (IOException ignored) {
                // shutting down
            }
        }
    }
}
