package dev.shadowshift.backup.it;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.TestTokens;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TopicWatcher;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static dev.shadowshift.backup.it.WorkerUnderTest.WAIT;
import static dev.shadowshift.backup.it.WorkerUnderTest.bootstrap;
import static dev.shadowshift.backup.it.WorkerUnderTest.completed;
import static dev.shadowshift.backup.it.WorkerUnderTest.failed;
import static dev.shadowshift.backup.it.WorkerUnderTest.finished;
import static dev.shadowshift.backup.it.WorkerUnderTest.requested;
import static dev.shadowshift.backup.it.WorkerUnderTest.sql;
import static dev.shadowshift.backup.it.WorkerUnderTest.target;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backups asked for over REST, their verification by a real restore, and what happens when an archive or a disk goes bad. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class BackupsOnRequestTest {

    private static TopicWatcher watcher;

    @BeforeAll
    static void setUp() throws Exception {
        watcher = new TopicWatcher(bootstrap(), List.of(Topics.BACKUP_COMPLETED, Topics.BACKUP_FAILED));
        sql("CREATE SCHEMA IF NOT EXISTS req",
                "CREATE TABLE IF NOT EXISTS req.customers (id int PRIMARY KEY, name text)",
                "INSERT INTO req.customers SELECT g, 'c' || g FROM generate_series(1, 500) g ON CONFLICT DO NOTHING",
                "CREATE TABLE IF NOT EXISTS req.orders (id bigserial PRIMARY KEY, customer int REFERENCES req.customers, total numeric)",
                "INSERT INTO req.orders(customer, total) SELECT 1 + g % 500, g FROM generate_series(1, 2000) g",
                "CREATE TABLE IF NOT EXISTS req.events (n int NOT NULL, what text) PARTITION BY RANGE (n)",
                "CREATE TABLE IF NOT EXISTS req.events_low PARTITION OF req.events FOR VALUES FROM (1) TO (5000)",
                "CREATE TABLE IF NOT EXISTS req.events_high PARTITION OF req.events FOR VALUES FROM (5000) TO (10000)",
                "INSERT INTO req.events SELECT g, 'e' || g FROM generate_series(1, 9000) g");
    }

    @AfterAll
    static void stop() {
        watcher.close();
    }

    @Test
    void aBackupOnRequestIsVerifiedByARestoreWithTheRowsCountedAtDumpTime() {
        String id = requested("{\"target\":\"main\",\"tables\":[\"req.orders\",\"req.events\"]}");
        JsonPath b = finished(id);

        assertEquals("VERIFIED", b.getString("status"), b.prettify());
        assertEquals("MANUAL", b.getString("trigger"));
        assertNull(b.get("planId"));
        assertEquals(List.of("req.orders", "req.events_high", "req.events_low"), b.getList("tables.name"),
                "a partitioned table comes with its partitions");
        assertEquals(List.of(2000, 4001, 4999), b.getList("tables.rows"));
        assertEquals(b.getList("tables.rows"), b.getList("tables.restoredRows"));
        assertTrue(b.getLong("sizeBytes") > 0);
        assertTrue(b.getDouble("verifySeconds") > 0);

        BackupCompleted event = completed(watcher, c -> id.equals(c.backupId()));
        assertNull(event.planId(), "a backup made for no plan opens no plan's gate");
        assertEquals("MANUAL", event.trigger());
        assertEquals(id, watcher.on(Topics.BACKUP_COMPLETED).stream().filter(s -> s.value().contains(id)).findFirst().orElseThrow().key());
        given().queryParam("target", "main").get("/backups").then().statusCode(200).body("id", hasItem(id));
    }

    @Test
    void aTableUsingTheTargetsOwnTypesAndSequencesVerifiesAndRestoresIntoAnEmptyDatabase() throws Exception {
        sql("CREATE TYPE req.mood AS ENUM ('calm', 'busy')",
                "CREATE DOMAIN req.positive AS integer CHECK (VALUE > 0)",
                "CREATE SEQUENCE req.ticket_numbers",
                "CREATE TABLE req.tickets (id integer PRIMARY KEY DEFAULT nextval('req.ticket_numbers'), mood req.mood NOT NULL, "
                        + "weight req.positive, customer int REFERENCES req.customers)",
                "INSERT INTO req.tickets(mood, weight, customer) SELECT 'busy', g, g FROM generate_series(1, 300) g");
        String id = requested("{\"tables\":[\"req.tickets\"]}");
        JsonPath b = finished(id);
        assertEquals("VERIFIED", b.getString("status"), b.prettify());
        assertEquals(List.of(300), b.getList("tables.restoredRows"));

        String scratch = Infrastructure.uniqueName("restore");
        TestTokens.as(Roles.OPERATOR).contentType(ContentType.JSON).body("{\"database\":\"" + scratch + "\"}").post("/backups/" + id + "/restore")
                .then().statusCode(200).body("foreignKeysLeftOut", equalTo(true));
        try (Connection c = target(scratch); Statement s = c.createStatement()) {
            assertEquals(300, WorkerUnderTest.count(s, "SELECT count(*) FROM req.tickets WHERE mood = 'busy'"));
            assertEquals(0, WorkerUnderTest.count(s, "SELECT count(*) FROM req.tickets WHERE weight <= 0"), "the domain came along");
        }
    }

    @Test
    void rowsWrittenWhileTheDumpRunsAreNeitherInTheArchiveNorInItsCount() throws Exception {
        sql("CREATE TABLE IF NOT EXISTS req.busy (id bigserial PRIMARY KEY, payload text)",
                "INSERT INTO req.busy(payload) SELECT repeat('x', 200) FROM generate_series(1, 100000)");
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            try (Connection c = target(null); Statement s = c.createStatement()) {
                while (writing.get()) {
                    s.execute("INSERT INTO req.busy(payload) SELECT 'y' FROM generate_series(1, 50)");
                    written.addAndGet(50);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        try {
            String id = requested("{\"tables\":[\"req.busy\"]}");
            JsonPath b = finished(id);
            assertEquals("VERIFIED", b.getString("status"), b.prettify());
            long rows = b.getLong("tables[0].rows");
            assertEquals(rows, b.getLong("tables[0].restoredRows"));
            assertTrue(rows >= 100000, "at least what was there before: " + rows);
        } finally {
            writing.set(false);
            writer.join();
        }
        assertTrue(written.get() > 0, "the writer wrote while the backup ran");
    }

    @Test
    void noTablesMeansTheWholeTargetDatabase() {
        String id = requested("{}");
        JsonPath b = finished(id);
        assertEquals("VERIFIED", b.getString("status"), b.prettify());
        assertTrue(b.getBoolean("wholeDatabase"));
        assertTrue(b.getList("tables.name").containsAll(List.of("req.customers", "req.orders", "req.events_low")), b.prettify());
        assertEquals(b.getList("tables.rows"), b.getList("tables.restoredRows"));
    }

    @Test
    void aFlippedByteMakesTheBackupCorruptRefusesItsRestoreAndSaysSoOnBackupFailed() {
        String id = requested("{\"tables\":[\"req.customers\"]}");
        JsonPath b = finished(id);
        assertEquals("VERIFIED", b.getString("status"));

        FaultyStorage.flipAByte(Path.of(b.getString("location")));
        TestTokens.as(Roles.OPERATOR).post("/backups/" + id + "/verify").then().statusCode(200)
                .body("status", equalTo("CORRUPT"))
                .body("reason", containsString("sha256"));
        BackupFailed event = failed(watcher, f -> id.equals(f.backupId()));
        assertEquals(BackupFailed.CORRUPT, event.status());
        assertNull(event.planId());
        String corruptAt = given().get("/backups/" + id).then().extract().path("corruptAt");
        String eventTime = watcher.on(Topics.BACKUP_FAILED).stream().map(s -> dev.shadowshift.contracts.EventCodec.read(s.value()))
                .filter(e -> e.data().path("backupId").asText().equals(id)).findFirst().orElseThrow().time();
        assertTrue(java.time.Instant.parse(eventTime).isAfter(java.time.OffsetDateTime.parse(b.getString("finishedAt")).toInstant()),
                "the news carries when the corruption was found (" + corruptAt + "), not when the backup was made: " + eventTime);
        assertTrue(event.reason().contains("changed since"), event.reason());

        String scratch = Infrastructure.uniqueName("restore");
        TestTokens.as(Roles.OPERATOR).contentType(ContentType.JSON).body("{\"database\":\"" + scratch + "\"}").post("/backups/" + id + "/restore")
                .then().statusCode(409).body("error", containsString("CORRUPT"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("shadowshift_backup_failures_total{status=\"CORRUPT\",target=\"main\",trigger=\"MANUAL\"}"));
    }

    @Test
    void anArchiveThatRotsBeforeItsFirstVerificationIsCorruptFromTheStart() {
        FaultyStorage.arm(FaultyStorage.Fault.FLIP_A_BYTE);
        String id = requested("{\"tables\":[\"req.customers\"]}");
        JsonPath b = finished(id);
        assertEquals("CORRUPT", b.getString("status"), b.prettify());
        assertEquals(BackupFailed.CORRUPT, failed(watcher, f -> id.equals(f.backupId())).status());
        assertTrue(watcher.on(Topics.BACKUP_COMPLETED).stream().noneMatch(s -> s.value().contains(id)), "never announced as usable");
    }

    @Test
    void aFullDiskFailsTheBackupWithThatReasonAndLeavesNoPartialArchive() throws Exception {
        sql("CREATE TABLE IF NOT EXISTS req.big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 50000) g");
        FaultyStorage.arm(FaultyStorage.Fault.DISK_FULL);
        String id = requested("{\"tables\":[\"req.big\"]}");
        JsonPath b = finished(id);

        assertEquals("FAILED", b.getString("status"), b.prettify());
        assertTrue(b.getString("reason").startsWith("no space left on the backup storage"), b.getString("reason"));
        assertNull(b.get("location"));
        BackupFailed event = failed(watcher, f -> id.equals(f.backupId()));
        assertEquals(BackupFailed.FAILED, event.status());
        assertTrue(event.reason().contains("No space left on device"), event.reason());
        Path root = Path.of(org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("shadowshift.backup.directory", String.class))
                .toAbsolutePath();
        assertTrue(b.getString("reason").contains(root.toString()), "names the storage: " + b.getString("reason"));
        try (Stream<Path> all = Files.walk(root)) {
            assertTrue(all.noneMatch(p -> p.getFileName().toString().startsWith(id)), "nothing of backup " + id + " under " + root);
        }
    }

    @Test
    void pinsAreTheOperatorsToSetAndClear() {
        String id = requested("{\"tables\":[\"req.customers\"]}");
        finished(id);
        TestTokens.as(Roles.OPERATOR).post("/backups/" + id + "/pin").then().statusCode(200).body("pinned", equalTo(true)).body("pinnedByOperator", equalTo(true));
        given().get("/backups/" + id).then().body("pinned", equalTo(true));
        TestTokens.as(Roles.OPERATOR).post("/backups/" + id + "/unpin").then().statusCode(200).body("pinned", equalTo(false));
        TestTokens.as(Roles.OPERATOR).post("/backups/no-such-backup/pin").then().statusCode(404).body("error", containsString("no-such-backup"));
    }

    @Test
    void badRequestsAreRefusedWithTheReason() {
        TestTokens.as(Roles.OPERATOR).contentType(ContentType.JSON).body("{\"target\":\"nowhere\"}").post("/backups").then().statusCode(400)
                .body("error", containsString("unknown target 'nowhere'"));
        TestTokens.as(Roles.OPERATOR).contentType(ContentType.JSON).body("{\"tables\":[\"nodot\"]}").post("/backups").then().statusCode(400)
                .body("error", containsString("schema-qualified"));
        TestTokens.as(Roles.OPERATOR).contentType(ContentType.TEXT).body("target=main").post("/backups").then().statusCode(415);
        given().get("/backups?status=SHINY").then().statusCode(400).body("error", containsString("status must be one of"));
        TestTokens.as(Roles.OPERATOR).post("/backups/no-such-backup/verify").then().statusCode(404);

        String id = requested("{\"tables\":[\"req.no_such_table\"]}");
        JsonPath b = finished(id);
        assertEquals("FAILED", b.getString("status"));
        assertTrue(b.getString("reason").contains("req.no_such_table does not exist"), b.getString("reason"));
        TestTokens.as(Roles.OPERATOR).post("/backups/" + id + "/verify").then().statusCode(409).body("error", containsString("no archive"));
    }

    @Test
    void metricsSayWhenATargetWasLastVerifiedAndWhatItCost() {
        finished(requested("{\"tables\":[\"req.customers\"]}"));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double last = metrics.lines().filter(l -> l.startsWith("shadowshift_backup_last_verified_timestamp_seconds{target=\"main\"}"))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElseThrow(() -> new AssertionError(metrics));
        assertTrue(Math.abs(last - System.currentTimeMillis() / 1000.0) < 600, "last verified " + last);
        for (String series : List.of("shadowshift_backup_duration_seconds_count{phase=\"dump\",target=\"main\",trigger=\"MANUAL\"}",
                "shadowshift_backup_duration_seconds_count{phase=\"verify\",target=\"main\",trigger=\"MANUAL\"}",
                "shadowshift_backup_size_bytes_sum{target=\"main\"}", "shadowshift_backups{status=\"VERIFIED\",target=\"main\"}")) {
            assertTrue(metrics.contains(series), series + " in\n" + metrics.lines().filter(l -> l.startsWith("shadowshift_backup")).toList());
        }
        assertFalse(metrics.contains("PGPASSWORD"));
    }
}
