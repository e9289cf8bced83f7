package dev.shadowshift.backup.it;

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

/** A target backed up on a cron schedule (whole database), with keep-last 2. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
@TestProfile(ScheduledBackupTest.Profile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScheduledBackupTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shadowshift.targets.main.backup-cron", "*/3 * * * * ?", "shadowshift.backup.retention.keep-last", "2");
        }
    }

    private static TopicWatcher watcher;

    @BeforeAll
    static void setUp() throws Exception {
        watcher = new TopicWatcher(bootstrap(), List.of(Topics.BACKUP_COMPLETED, Topics.BACKUP_FAILED));
        sql("CREATE SCHEMA IF NOT EXISTS app", "CREATE TABLE IF NOT EXISTS app.accounts (id int PRIMARY KEY)",
                "INSERT INTO app.accounts SELECT generate_series(1, 100) ON CONFLICT DO NOTHING");
    }

    @AfterAll
    static void stop() {
        watcher.close();
    }

    @Test
    @Order(1)
    void theTargetsCronMakesVerifiedBackupsOfTheWholeDatabase() {
        // the schedule may have fired before the table existed: a backup of an empty database is a backup too
        BackupCompleted scheduled = completed(watcher, c -> "SCHEDULED".equals(c.trigger()) && c.target().equals("main")
                && c.tables().contains("app.accounts"));
        assertNull(scheduled.planId());
        JsonPath b = given().get("/backups/" + scheduled.backupId()).then().statusCode(200).extract().jsonPath();
        assertEquals("VERIFIED", b.getString("status"));
        assertTrue(b.getBoolean("wholeDatabase"));
        assertEquals(100, (int) b.getList("tables.restoredRows").get(b.getList("tables.name").indexOf("app.accounts")));
    }

    @Test
    @Order(2)
    void keepLastTwoKeepsTheNewestTwoAndDeletesTheOthersArchives() {
        await().atMost(WAIT).until(() -> !expired("main").isEmpty());
        await().atMost(WAIT).until(() -> archives("main").size() <= 2);
        for (Map<String, Object> gone : expired("main")) {
            assertTrue(String.valueOf(gone.get("reason")).startsWith("removed by retention: beyond keep-last 2"), gone.toString());
            assertFalse(Files.exists(Path.of(String.valueOf(gone.get("location")))), "the archive of " + gone.get("id") + " is deleted");
        }
    }
}
