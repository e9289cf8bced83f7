package dev.shadowshift.backup.it;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.DatabaseRoles;
import dev.shadowshift.testkit.TargetFixtures;
import dev.shadowshift.testkit.TestTokens;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.testkit.TopicWatcher;
import io.restassured.path.json.JsonPath;
import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** What the worker's integration tests share: its target, its broker, and waiting for a backup to finish. */
final class WorkerUnderTest {

    static final Duration WAIT = Duration.ofSeconds(120);

    private WorkerUnderTest() {
    }

    static String targetUrl() {
        return ConfigProvider.getConfig().getValue("shadowshift.targets.main.jdbc-url", String.class);
    }

    /**
     * The target as its owner in a deployment (migration-worker's role), who creates its tables; or a database the
     * worker restored into, as the worker's role, which created it and so owns it.
     *
     * @param database a database the worker created on the target's server, or null for the target itself
     */
    static Connection target(String database) throws Exception {
        if (database == null) {
            return TargetFixtures.asOwner();
        }
        String url = targetUrl();
        return DatabaseRoles.connect(DatabaseRoles.Service.BACKUP, url.substring(0, url.lastIndexOf('/') + 1) + database);
    }

    static void sql(String... statements) throws Exception {
        try (Connection c = target(null); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    /** The backup once it is no longer RUNNING. */
    static JsonPath finished(String backupId) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() ->
                !"RUNNING".equals(given().get("/backups/" + backupId).then().statusCode(200).extract().path("status")));
        return given().get("/backups/" + backupId).then().statusCode(200).extract().jsonPath();
    }

    static String requested(String body) {
        return TestTokens.as(Roles.OPERATOR).contentType("application/json").body(body).post("/backups").then().statusCode(202)
                .extract().path("id");
    }

    /** A target's backups that have an archive (VERIFIED or CORRUPT), newest first. */
    static List<Map<String, Object>> archives(String target) {
        return backups(target).stream().filter(b -> List.of("VERIFIED", "CORRUPT").contains(b.get("status"))).toList();
    }

    static List<Map<String, Object>> expired(String target) {
        return backups(target).stream().filter(b -> "EXPIRED".equals(b.get("status"))).toList();
    }

    static List<Map<String, Object>> backups(String target) {
        return given().queryParam("target", target).get("/backups").then().statusCode(200).extract().jsonPath().getList("$");
    }

    static BackupCompleted completed(TopicWatcher watcher, Predicate<BackupCompleted> match) {
        TopicWatcher.Seen seen = watcher.await(Topics.BACKUP_COMPLETED, s -> match.test(completedOf(s)), WAIT);
        return completedOf(seen);
    }

    static BackupFailed failed(TopicWatcher watcher, Predicate<BackupFailed> match) {
        TopicWatcher.Seen seen = watcher.await(Topics.BACKUP_FAILED, s -> match.test(failedOf(s)), WAIT);
        return failedOf(seen);
    }

    static BackupCompleted completedOf(TopicWatcher.Seen s) {
        return EventSchemas.parse(s.value(), EventType.BACKUP_COMPLETED).dataAs(BackupCompleted.class);
    }

    static BackupFailed failedOf(TopicWatcher.Seen s) {
        return EventSchemas.parse(s.value(), EventType.BACKUP_FAILED).dataAs(BackupFailed.class);
    }
}
