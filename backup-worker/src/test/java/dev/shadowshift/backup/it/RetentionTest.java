package dev.shadowshift.backup.it;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.TestTokens;
import dev.shadowshift.backup.retention.RetentionJob;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.PostgresServer;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static dev.shadowshift.backup.it.WorkerUnderTest.WAIT;
import static dev.shadowshift.backup.it.WorkerUnderTest.archives;
import static dev.shadowshift.backup.it.WorkerUnderTest.expired;
import static dev.shadowshift.backup.it.WorkerUnderTest.bootstrap;
import static dev.shadowshift.backup.it.WorkerUnderTest.completed;
import static dev.shadowshift.backup.it.WorkerUnderTest.failed;
import static dev.shadowshift.backup.it.WorkerUnderTest.finished;
import static dev.shadowshift.backup.it.WorkerUnderTest.requested;
import static dev.shadowshift.backup.it.WorkerUnderTest.sql;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention with keep-last 2 and min-verified 1, and the periodic re-verification, watched backup by backup. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
@TestProfile(RetentionTest.Profile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetentionTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shadowshift.backup.retention.keep-last", "2",
                    "shadowshift.backup.retention.min-verified", "1",
                    "shadowshift.backup.reverify-interval", "PT8S",
                    "shadowshift.backup.reverify-check-interval", "2s");
        }
    }

    private static TopicWatcher watcher;

    @Inject
    RetentionJob retention;

    @BeforeAll
    static void setUp() throws Exception {
        watcher = new TopicWatcher(bootstrap(), List.of(Topics.BACKUP_COMPLETED, Topics.BACKUP_FAILED));
        sql("CREATE TABLE IF NOT EXISTS ledger (id int PRIMARY KEY, amount numeric)",
                "INSERT INTO ledger SELECT g, g FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING");
    }

    @AfterAll
    static void stop() {
        watcher.close();
    }

    @Test
    @Order(1)
    void retentionNeverRemovesTheLastVerifiedBackup() {
        String oldest = verified(requested("{\"tables\":[\"public.ledger\"]}"));
        String second = verified(requested("{\"tables\":[\"public.ledger\"]}"));
        FaultyStorage.flipAByte(Path.of(finished(second).getString("location")));
        await().atMost(WAIT).until(() -> "CORRUPT".equals(TestTokens.as(Roles.OPERATOR).post("/backups/" + second + "/verify").then().extract().path("status")));
        FaultyStorage.arm(FaultyStorage.Fault.FLIP_A_BYTE);
        String third = requested("{\"tables\":[\"public.ledger\"]}");
        assertEquals("CORRUPT", finished(third).getString("status"));

        // newest first: CORRUPT, CORRUPT, VERIFIED; keep-last 2 would leave no verified backup
        assertEquals(List.of(), retention.apply("main", OffsetDateTime.now(ZoneOffset.UTC)));
        assertEquals("VERIFIED", finished(oldest).getString("status"));

        // a new verified backup: now the oldest two can go
        String fourth = verified(requested("{\"tables\":[\"public.ledger\"]}"));
        await().atMost(WAIT).until(() -> archives("main").stream().map(a -> a.get("id")).toList().equals(List.of(fourth, third)));
        assertEquals("EXPIRED", finished(oldest).getString("status"));
        assertEquals("EXPIRED", finished(second).getString("status"));
    }

    @Test
    @Order(2)
    void keptBackupsAreVerifiedAgainAndOneThatRottedIsAnnouncedCorrupt() {
        String id = verified(requested("{\"tables\":[\"public.ledger\"]}"));
        String firstVerification = finished(id).getString("verifiedAt");
        await().atMost(WAIT).until(() -> !firstVerification.equals(finished(id).getString("verifiedAt")));

        FaultyStorage.flipAByte(Path.of(finished(id).getString("location")));
        BackupFailed corrupt = failed(watcher, f -> id.equals(f.backupId()));
        assertEquals(BackupFailed.CORRUPT, corrupt.status());
        assertEquals("main", corrupt.target());
        assertEquals("CORRUPT", finished(id).getString("status"));
    }

    private static String verified(String id) {
        JsonPath b = finished(id);
        assertEquals("VERIFIED", b.getString("status"), b.prettify());
        return id;
    }
}
