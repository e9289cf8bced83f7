package dev.shadowshift.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real PostgreSQL 15 server started from the Maven binaries bundle, so pg_dump 15 can read it; wal_level=logical. */
final class EmbeddedPostgresServer implements PostgresServer {

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static EmbeddedPostgresServer start(int port) {
        try {
            Path dir = Files.createTempDirectory("shadowshift-pg-");
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(true)
                    .setServerConfig("max_connections", "200")
                    // monitor-service's slow_queries rule reads pg_stat_statements, as in docker-compose and ./shadowshift up
                    .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    // shadow migrations capture writes through logical decoding where the server allows it
                    // (./shadowshift up runs on this server too); the trigger fallback is tested on a server without
                    // (max_wal_senders stays at its default: a hot standby needs at least the primary's value)
                    .setServerConfig("wal_level", "logical")
                    // every rebuild's rollback window holds a slot for its whole time (15m): one test JVM runs dozens
                    .setServerConfig("max_replication_slots", "64");
            if (port > 0) {
                builder.setPort(port);
            }
            return new EmbeddedPostgresServer(builder.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    @Override
    public String host() {
        return "localhost";
    }

    @Override
    public int port() {
        return postgres.getPort();
    }

    @Override
    public String user() {
        return "postgres";
    }

    @Override
    public String password() {
        return "";
    }

    @Override
    public String description() {
        return "embedded PostgreSQL 15 at localhost:" + port();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }
}
