package dev.shadowshift.monitor;

import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.PostgresServer;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * replication_lag on a real standby: a streaming replica of the test server (pg_basebackup), its replay paused while
 * the primary writes, then resumed.
 */
@QuarkusTest
@TestProfile(ConditionsProfile.class)
@WithTestResource(ShadowshiftTestResource.class)
class ReplicationLagTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aStandbyWhoseReplayIsPausedLagsUntilItResumes() throws Exception {
        PostgresServer primary = Infrastructure.shared().postgres();
        Assumptions.assumeTrue(System.getenv(Infrastructure.PG_ENV) == null, "a server named by the environment is not ours to copy");
        Assumptions.assumeTrue(onPath("pg_basebackup"), "pg_basebackup is not on the PATH");
        Path dir = Files.createTempDirectory("shadowshift-standby-");
        Process backup = new ProcessBuilder("pg_basebackup", "-h", primary.host(), "-p", Integer.toString(primary.port()),
                "-U", primary.user(), "-D", dir.toString(), "-R", "-X", "stream", "-c", "fast")
                .redirectErrorStream(true).start();
        String output = new String(backup.getInputStream().readAllBytes());
        int exit = backup.waitFor();
        // the testkit's embedded server allows replication connections; a container's pg_hba.conf does not
        Assumptions.assumeFalse(exit != 0 && output.contains("pg_hba.conf"), "the test server refuses replication: " + output);
        assertEquals(0, exit, output);
        // an existing data directory is started as it is: standby.signal and primary_conninfo from pg_basebackup -R
        try (TopicWatcher watcher = new TopicWatcher(bootstrap, List.of(Topics.ALERTS));
             EmbeddedPostgres standby = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false)
                     .setPort(ConditionsProfile.ExtraTargets.replicaPort).start()) {
            // a standby that has replayed no transaction yet has no replay timestamp, so its lag cannot be told:
            // let it replay one before pausing it
            try (Connection p = primary.connect("postgres"); Statement st = p.createStatement()) {
                st.execute("DROP TABLE IF EXISTS replicated");
                st.execute("CREATE TABLE replicated (g integer)");
            }
            try (Connection s = standby.getPostgresDatabase().getConnection(); Statement st = s.createStatement()) {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (true) {
                    try (var rs = st.executeQuery("SELECT pg_last_xact_replay_timestamp() IS NOT NULL")) {
                        rs.next();
                        if (rs.getBoolean(1)) {
                            break;
                        }
                    }
                    assertTrue(System.nanoTime() < deadline, "the standby replayed no transaction within " + WAIT);
                    Thread.sleep(100);
                }
                st.execute("SELECT pg_wal_replay_pause()");
            }
            try (Connection p = primary.connect("postgres"); Statement st = p.createStatement()) {
                st.execute("INSERT INTO replicated SELECT g FROM generate_series(1, 10000) g");
            }
            Alert lag = Alerts.parse(watcher.await(Topics.ALERTS, Alerts.of("replication_lag", Alert.FIRING, "replica"), WAIT));
            assertTrue(lag.annotations().get("description").contains("is a standby"), lag.annotations().get("description"));

            try (Connection s = standby.getPostgresDatabase().getConnection(); Statement st = s.createStatement()) {
                st.execute("SELECT pg_wal_replay_resume()");
            }
            watcher.await(Topics.ALERTS, seen -> Alerts.of("replication_lag", Alert.RESOLVED, "replica").test(seen)
                    && EventCodec.read(seen.value()).dataAs(Alert.class).fingerprint().equals(lag.fingerprint()), WAIT);
        } finally {
            try (Connection p = primary.connect("postgres"); Statement st = p.createStatement()) {
                st.execute("DROP TABLE IF EXISTS replicated");
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
