package dev.shadowshift.backup.it;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.TestTokens;
import dev.shadowshift.pg.dump.ArchiveDigest;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.backup.intake.MigrationPlannedConsumer;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.shadowshift.backup.it.WorkerUnderTest.bootstrap;
import static dev.shadowshift.backup.it.WorkerUnderTest.count;
import static dev.shadowshift.backup.it.WorkerUnderTest.target;
import static dev.shadowshift.backup.it.WorkerUnderTest.targetUrl;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker against a real broker, a real PostgreSQL and the real pg_dump/pg_restore on PATH. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupWorkerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** A name chosen to break naive quoting: a double quote, a dot and a pattern wildcard. */
    private static final String ODD_TABLE = "odd \"name\".*";
    private static final String PLAN_ID = UUID.randomUUID().toString();
    private static TopicWatcher watcher;
    private static String plannedEvent;

    @BeforeAll
    static void setUp() throws Exception {
        watcher = new TopicWatcher(bootstrap(), List.of(Topics.BACKUP_COMPLETED, Topics.BACKUP_FAILED));
        try (Connection c = target(null); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS shop");
            s.execute("CREATE TABLE IF NOT EXISTS shop.customers (id int PRIMARY KEY, name text)");
            s.execute("INSERT INTO shop.customers VALUES (1, 'ada'), (2, 'grace'), (3, 'edsger') ON CONFLICT DO NOTHING");
            s.execute("CREATE TABLE IF NOT EXISTS shop.\"odd \"\"name\"\".*\" (v int)");
            s.execute("INSERT INTO shop.\"odd \"\"name\"\".*\" VALUES (42)");
        }
    }

    @AfterAll
    static void stop() {
        watcher.close();
    }

    @Test
    @Order(1)
    void aPlanThatAltersTablesGetsAVerifiedBackupOfExactlyThose() throws Exception {
        plannedEvent = planned(PLAN_ID, List.of("shop.customers", "shop." + ODD_TABLE));

        BackupCompleted backup = completed(PLAN_ID);
        assertTrue(backup.verified());
        assertEquals(List.of("shop.customers", "shop." + ODD_TABLE), backup.tables());
        Path file = Path.of(backup.location());
        assertTrue(Files.isRegularFile(file), file.toString());
        assertEquals(Files.size(file), backup.sizeBytes());
        assertEquals(ArchiveDigest.sha256(file), backup.sha256());
        assertTrue(backup.archiveEntries() >= 4, "table and data entries for both tables: " + backup.archiveEntries());
        assertEquals("PLAN", backup.trigger());
        assertEquals(List.of(new BackupCompleted.TableRows("shop.customers", 3), new BackupCompleted.TableRows("shop." + ODD_TABLE, 1)),
                backup.tableRows(), "rows counted in the dump's snapshot");

        given().queryParam("planId", PLAN_ID).get("/backups").then().statusCode(200)
                .body("$", hasSize(1))
                .body("[0].id", equalTo(backup.backupId()))
                .body("[0].status", equalTo("VERIFIED"))
                .body("[0].trigger", equalTo("PLAN"))
                .body("[0].sha256", equalTo(backup.sha256()));
        given().get("/backups/" + backup.backupId()).then().statusCode(200)
                .body("location", equalTo(backup.location()))
                .body("tables.name", equalTo(List.of("shop.customers", "shop." + ODD_TABLE)))
                .body("tables.rows", equalTo(List.of(3, 1)))
                .body("tables.restoredRows", equalTo(List.of(3, 1)))
                .body("pinned", equalTo(true))
                .body("pinnedByOperator", equalTo(false))
                .body("planPinnedUntil", notNullValue());
    }

    @Test
    @Order(2)
    void theBackupRestoresIntoAFreshDatabase() throws Exception {
        BackupCompleted backup = completed(PLAN_ID);
        String scratch = Infrastructure.uniqueName("restore");

        TestTokens.as(Roles.OPERATOR).contentType(ContentType.JSON).body("{\"database\":\"" + scratch + "\"}")
                .post("/backups/" + backup.backupId() + "/restore").then().statusCode(200)
                .body("backupId", equalTo(backup.backupId()))
                .body("database", equalTo(scratch))
                .body("tables", hasSize(2));

        try (Connection c = target(scratch); Statement s = c.createStatement()) {
            assertEquals(3, count(s, "SELECT count(*) FROM shop.customers"));
            assertEquals(42, count(s, "SELECT v FROM shop.\"odd \"\"name\"\".*\""));
            // the worker's role created the database it restored into, so it owns it and what is in it
            try (var rs = s.executeQuery("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")) {
                rs.next();
                assertEquals("shadowshift_backup", rs.getString(1));
            }
            try (var rs = s.executeQuery("SELECT tableowner FROM pg_tables WHERE schemaname = 'shop' AND tablename = 'customers'")) {
                rs.next();
                assertEquals("shadowshift_backup", rs.getString(1));
            }
        }
    }

    @Test
    @Order(3)
    void restoreRefusesBadNamesUnknownBackupsAndTheLiveDatabase() throws Exception {
        String backupId = completed(PLAN_ID).backupId();
        TestTokens.as(Roles.OPERATOR).contentType(ContentType.JSON).body("{\"database\":\"x; DROP DATABASE y\"}")
                .post("/backups/" + backupId + "/restore").then().statusCode(400).body("error", containsString("database must match"));
        TestTokens.as(Roles.OPERATOR).contentType(ContentType.JSON).body("{\"database\":\"restore_nothing\"}")
                .post("/backups/no-such-backup/restore").then().statusCode(404);
        given().get("/backups/no-such-backup").then().statusCode(404).body("error", containsString("no-such-backup"));
        String live = URI.create(targetUrl().substring(5)).getPath().substring(1);
        TestTokens.as(Roles.OPERATOR).contentType(ContentType.JSON).body("{\"database\":\"" + live + "\"}")
                .post("/backups/" + backupId + "/restore").then().statusCode(409).body("error", containsString("live target"));
        String state = URI.create(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.datasource.jdbc.url", String.class).substring(5)).getPath().substring(1);
        for (String never : List.of("postgres", "template1", "template0", state)) {
            TestTokens.as(Roles.OPERATOR).contentType(ContentType.JSON).body("{\"database\":\"" + never + "\"}")
                    .post("/backups/" + backupId + "/restore").then().statusCode(409).body("error", containsString("refusing to restore"));
        }
        TestTokens.as(Roles.OPERATOR).contentType(ContentType.JSON).body("{\"database\":\"scratch_copy\"}")
                .post("/backups/" + backupId + "/restore").then().statusCode(400).body("error", containsString("restore_.*"));
        String existing = Infrastructure.shared().freshDatabase("restore");
        TestTokens.as(Roles.OPERATOR).contentType(ContentType.JSON).body("{\"database\":\"" + existing + "\"}")
                .post("/backups/" + backupId + "/restore").then().statusCode(409).body("error", containsString("only into a new database"));
    }

    @Test
    @Order(4)
    void aRedeliveredPlanIsAnnouncedAgainWithoutASecondDump() throws Exception {
        BackupCompleted first = completed(PLAN_ID);
        long modified = Files.getLastModifiedTime(Path.of(first.location())).toMillis();

        TopicWatcher.send(bootstrap(), Topics.MIGRATION_PLANNED, PLAN_ID, plannedEvent);
        watcher.await(Topics.BACKUP_COMPLETED, s -> PLAN_ID.equals(s.key())
                && watcher.on(Topics.BACKUP_COMPLETED).stream().filter(x -> PLAN_ID.equals(x.key())).count() >= 2, WAIT);

        List<String> ids = watcher.on(Topics.BACKUP_COMPLETED).stream().filter(s -> PLAN_ID.equals(s.key()))
                .map(s -> EventCodec.read(s.value()).id()).distinct().toList();
        assertEquals(1, ids.size(), "the same event, re-announced");
        given().queryParam("planId", PLAN_ID).get("/backups").then().statusCode(200).body("$", hasSize(1));
        assertEquals(modified, Files.getLastModifiedTime(Path.of(first.location())).toMillis(), "not dumped again");
    }

    @Test
    @Order(5)
    void aPlanNamingAMissingTableGetsBackupFailedNamingIt() {
        String planId = UUID.randomUUID().toString();
        planned(planId, List.of("shop.customers", "shop.no_such_table"));

        TopicWatcher.Seen seen = watcher.await(Topics.BACKUP_FAILED, s -> planId.equals(s.key()), WAIT);
        BackupFailed failed = EventSchemas.parse(seen.value(), EventType.BACKUP_FAILED).dataAs(BackupFailed.class);
        assertTrue(failed.reason().contains("no_such_table"), failed.reason());
        given().queryParam("planId", planId).get("/backups").then().statusCode(200)
                .body("[0].status", equalTo("FAILED"))
                .body("[0].reason", containsString("no_such_table"));
        assertEquals("FAILED", failed.status());
        assertEquals(MigrationPlannedConsumer.backupIdFor(planId), failed.backupId());
        assertTrue(Files.notExists(Path.of(ConfigProvider.getConfig().getValue("shadowshift.backup.directory", String.class),
                failed.backupId() + ".dump")), "nothing is left of a failed backup");
    }

    @Test
    @Order(6)
    void thePlansBackupStaysPinnedUntilTheMigrationWorkerSaysItsRollbackWindowClosed() {
        BackupCompleted backup = completed(PLAN_ID);
        String pinnedUntil = given().get("/backups/" + backup.backupId()).then().extract().path("planPinnedUntil");
        // a plan that rebuilt tables completes with its rollback points kept: the pin holds, for longer
        progress(new MigrationProgress(PLAN_ID, "main", "COMPLETED", "CUTOVER", 3, 3, "done; the rollback point is kept", null, null, null, null));
        await().atMost(WAIT).until(() -> !pinnedUntil.equals(given().get("/backups/" + backup.backupId()).then().extract().path("planPinnedUntil")));
        given().get("/backups/" + backup.backupId()).then().statusCode(200).body("pinned", equalTo(true));

        progress(new MigrationProgress(PLAN_ID, "main", "COMPLETED", "ROLLBACK_WINDOW_CLOSED", 3, 3,
                "the last rollback point was dropped after its retention", null, null, null, null));
        await().atMost(WAIT).until(() -> Boolean.FALSE.equals(given().get("/backups/" + backup.backupId()).then().extract().path("pinned")));
        given().get("/backups/" + backup.backupId()).then().body("planPinnedUntil", nullValue());
    }

    @Test
    @Order(7)
    void aPlansBackupThatDoesNotVerifyIsAnnouncedCorruptForThePlanAndNeverAsCompleted() {
        String planId = UUID.randomUUID().toString();
        FaultyStorage.arm(FaultyStorage.Fault.FLIP_A_BYTE);
        planned(planId, List.of("shop.customers"));

        TopicWatcher.Seen seen = watcher.await(Topics.BACKUP_FAILED, s -> planId.equals(s.key()), WAIT);
        BackupFailed failed = EventSchemas.parse(seen.value(), EventType.BACKUP_FAILED).dataAs(BackupFailed.class);
        assertEquals(BackupFailed.CORRUPT, failed.status());
        assertEquals(planId, failed.planId());
        assertTrue(watcher.on(Topics.BACKUP_COMPLETED).stream().noneMatch(s -> planId.equals(s.key())));
        given().queryParam("planId", planId).get("/backups").then().statusCode(200).body("[0].status", equalTo("CORRUPT"));
    }

    @Test
    @Order(8)
    void everyEventTheWorkerPublishedMatchesItsSchema() {
        List<TopicWatcher.Seen> all = watcher.all();
        assertTrue(all.size() >= 3);
        for (TopicWatcher.Seen s : all) {
            CloudEvent e = EventSchemas.parse(s.value(), s.topic().equals(Topics.BACKUP_COMPLETED)
                    ? EventType.BACKUP_COMPLETED : EventType.BACKUP_FAILED);
            assertEquals(e.subject(), s.key(), "keyed by plan id, or by backup id for a backup made for no plan");
            assertEquals("/shadowshift/backup-worker", e.source());
        }
    }

    @Test
    @Order(9)
    void aRetiredMigrationPlannedV1WithSqlInItsStepsIsDeadLetteredAndNeverBackedUp() {
        String planId = UUID.randomUUID().toString();
        String v1 = planned(planId, List.of("shop.customers"), false)
                .replace("dev.shadowshift.migration.planned.v2", "dev.shadowshift.migration.planned.v1")
                .replace("\"kind\":\"ADD_COLUMN\"", "\"kind\":\"ADD_COLUMN\",\"sql\":\"DROP TABLE shop.customers\"");
        try (TopicWatcher dlq = new TopicWatcher(bootstrap(), List.of(Topics.MIGRATION_PLANNED + Topics.DEAD_LETTER_SUFFIX))) {
            TopicWatcher.send(bootstrap(), Topics.MIGRATION_PLANNED, planId, v1);
            TopicWatcher.Seen dead = dlq.await(Topics.MIGRATION_PLANNED + Topics.DEAD_LETTER_SUFFIX, s -> planId.equals(s.key()), WAIT);
            String reason = String.valueOf(dead.headers().get("dead-letter-reason"));
            assertTrue(reason.contains("retired") && reason.contains("carried SQL text in its steps"), reason);
        }
        given().queryParam("planId", planId).get("/backups").then().statusCode(200).body("$", hasSize(0));
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static String planned(String planId, List<String> backupTables) {
        return planned(planId, backupTables, true);
    }

    private static String planned(String planId, List<String> backupTables, boolean send) {
        MigrationPlanned plan = new MigrationPlanned(planId, "shop", 2, "main", "shop", "MIXED", "AWAITING_BACKUP", true,
                backupTables, "MEDIUM", 3, List.of(PlanStep.of(1, new SchemaChange(ChangeKind.ADD_COLUMN, "shop", "customers", "email",
                null, "text", true, null, null, null, null, null, null, null), LockLevel.ACCESS_EXCLUSIVE, ChangePath.IN_PLACE,
                List.of(Classification.ADDITIVE))), List.of());
        String value = EventCodec.write(EventCodec.create("/test/migration-worker", planId, plan));
        EventSchemas.parse(value, EventType.MIGRATION_PLANNED);
        if (send) {
            TopicWatcher.send(bootstrap(), Topics.MIGRATION_PLANNED, planId, value);
        }
        return value;
    }

    private static void progress(MigrationProgress progress) {
        String value = EventCodec.write(EventCodec.create("/test/migration-worker", progress.planId(), progress));
        TopicWatcher.send(bootstrap(), Topics.MIGRATION_PROGRESS, progress.planId(), value);
    }

    private static BackupCompleted completed(String planId) {
        TopicWatcher.Seen seen = watcher.await(Topics.BACKUP_COMPLETED, s -> planId.equals(s.key()), WAIT);
        return EventSchemas.parse(seen.value(), EventType.BACKUP_COMPLETED).dataAs(BackupCompleted.class);
    }
}
