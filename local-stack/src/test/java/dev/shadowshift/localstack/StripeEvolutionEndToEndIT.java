package dev.shadowshift.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.events.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.testkit.TopicWatcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * All four services, one broker, one PostgreSQL: the Stripe spec of 2022-04-07, then that of 2022-04-12, and what an
 * operator would check afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StripeEvolutionEndToEndIT {

    private static final Path SPECS = Path.of("..", "..", "shared", "specs").toAbsolutePath().normalize();
    private static final Duration PATIENCE = Duration.ofMinutes(4);

    private static LocalStack stack;
    private static EvolutionDriver driver;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startEverything() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        stack = LocalStack.start(new LocalStack.Options(root, root.resolve("local-stack/target/e2e"), false, Map.of(
                "SHADOWSHIFT_MONITOR_POLL_INTERVAL", "1s",
                "SHADOWSHIFT_MONITOR_LONG_QUERY_THRESHOLD", "3s")), System.out::println);
        driver = new EvolutionDriver(stack);
    }

    @AfterAll
    static void stopEverything() {
        if (driver != null) {
            driver.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void stripeSpecsEvolveTheTargetDatabase() throws Exception {
        EvolutionDriver.Outcome v1 = driver.evolve("stripe", Files.readString(SPECS.resolve("stripe-spec3-2022-04-07.json")),
                "main", "stripe", PATIENCE, System.out::println);
        assertTrue(v1.completed(), "v1 migration: " + v1.finalProgress());
        assertFalse(v1.plan().requiresBackup(), "creating tables in an empty schema needs no backup");
        try (Connection c = target()) {
            assertTrue(columnsOf(c, "customers").containsAll(List.of("id", "object", "created", "livemode", "metadata", "email")),
                    "customers has the seed's special columns: " + columnsOf(c, "customers"));
            assertTrue(tableCount(c) > 100, "Stripe's object schemas became tables");
        }

        EvolutionDriver.Outcome v2 = driver.evolve("stripe", Files.readString(SPECS.resolve("stripe-spec3-2022-04-12.json")),
                "main", "stripe", PATIENCE, System.out::println);
        assertTrue(v2.completed(), "v2 migration: " + v2.finalProgress());
        assertTrue(v2.plan().requiresBackup(), "altering tables that exist needs a backup first");

        SpecChanged changed = driver.events(Topics.SPEC_CHANGED).stream().map(e -> e.dataAs(SpecChanged.class))
                .filter(s -> s.subject().equals("stripe") && s.version() == 2).findFirst().orElseThrow();
        List<SchemaChange> added = changed.changes().stream().filter(ch -> ch.kind().equals("ADD_COLUMN")).toList();
        assertFalse(added.isEmpty(), "the 2022-04-12 spec adds columns");
        assertEquals(added.size(), changed.changes().size(), "the Stripe pair differs only by added columns: " + changed.changes());
        try (Connection c = target()) {
            for (SchemaChange add : added) {
                assertTrue(columnsOf(c, add.table()).contains(add.column()), add.table() + "." + add.column() + " was added");
            }
        }

        // the backup the plan waited for: verified, and restorable into a scratch database
        String planId = v2.plan().planId();
        BackupCompleted backup = driver.events(Topics.BACKUP_COMPLETED).stream().map(e -> e.dataAs(BackupCompleted.class))
                .filter(b -> b.planId().equals(planId)).findFirst().orElseThrow();
        assertTrue(backup.verified());
        JsonNode catalog = getJson(stack.url(LocalStack.Service.BACKUP, "/backups/" + backup.backupId()));
        assertEquals("VERIFIED", catalog.path("status").asText(), catalog.toString());
        String scratch = stack.infrastructure().freshDatabase("scratch");
        HttpResponse<String> restore = HTTP.send(HttpRequest.newBuilder(URI.create(stack.url(LocalStack.Service.BACKUP,
                        "/backups/" + backup.backupId() + "/restore")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"database\":\"" + scratch + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, restore.statusCode(), restore.body());
        try (Connection c = stack.infrastructure().postgres().connect(scratch)) {
            for (String qualified : backup.tables()) {
                String table = qualified.substring(qualified.indexOf('.') + 1);
                assertFalse(columnsOf(c, table).isEmpty(), "restored " + qualified + " into " + scratch);
            }
        }

        // causal order of the v2 chain, by event time and by arrival
        List<CloudEvent> chain = new ArrayList<>();
        chain.add(find(Topics.SPEC_CHANGED, e -> e.dataAs(SpecChanged.class).version() == 2 && e.dataAs(SpecChanged.class).subject().equals("stripe")));
        chain.add(find(Topics.MIGRATION_PLANNED, e -> e.dataAs(MigrationPlanned.class).planId().equals(planId)));
        chain.add(find(Topics.BACKUP_COMPLETED, e -> e.dataAs(BackupCompleted.class).planId().equals(planId)));
        chain.add(find(Topics.MIGRATION_PROGRESS, e -> e.data().path("planId").asText().equals(planId) && e.data().path("status").asText().equals("STARTED")));
        chain.add(find(Topics.MIGRATION_PROGRESS, e -> e.data().path("planId").asText().equals(planId) && e.data().path("status").asText().equals("COMPLETED")));
        for (int i = 1; i < chain.size(); i++) {
            assertFalse(Instant.parse(chain.get(i).time()).isBefore(Instant.parse(chain.get(i - 1).time())),
                    chain.get(i).type() + " came before its cause " + chain.get(i - 1).type());
        }
        List<String> arrival = driver.watcher().all().stream().map(TopicWatcher.Seen::value).map(EventCodec::read)
                .map(CloudEvent::id).toList();
        for (int i = 1; i < chain.size(); i++) {
            assertTrue(arrival.indexOf(chain.get(i).id()) > arrival.indexOf(chain.get(i - 1).id()),
                    chain.get(i).type() + " arrived before " + chain.get(i - 1).type());
        }
    }

    @Test
    @Order(2)
    void everyEventMatchesItsSchemaAndIsKeyedForOrdering() {
        List<TopicWatcher.Seen> all = driver.watcher().all();
        assertFalse(all.isEmpty());
        Set<String> topicsSeen = new HashSet<>();
        for (TopicWatcher.Seen s : all) {
            CloudEvent event = EventSchemas.parse(s.value(), null);
            assertTrue(s.headers().getOrDefault("content-type", "").startsWith("application/cloudevents+json"), s.topic());
            assertTrue(s.key() != null && !s.key().isBlank(), "every record has an ordering key: " + event.type());
            topicsSeen.add(s.topic());
        }
        assertTrue(topicsSeen.containsAll(List.of(Topics.SPEC_CHANGED, Topics.MIGRATION_PLANNED, Topics.MIGRATION_PROGRESS,
                Topics.BACKUP_COMPLETED)), "saw " + topicsSeen);
    }

    @Test
    @Order(3)
    void aLongRunningQueryFiresAnAlertThatResolvesWhenItEnds() throws Exception {
        try (Connection sleeper = target(); Connection admin = target()) {
            int pid;
            try (ResultSet rs = sleeper.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
                try (Statement s = sleeper.createStatement()) {
                    s.execute("SELECT pg_sleep(120)");
                } catch (Exception expected) {
                    // cancelled below
                }
            });
            TopicWatcher.Seen firing = driver.watcher().await(Topics.ALERTS, s -> {
                Alert a = EventCodec.read(s.value()).dataAs(Alert.class);
                return a.rule().equals("long_running_query") && a.status().equals("FIRING");
            }, Duration.ofSeconds(60));
            String fingerprint = EventCodec.read(firing.value()).dataAs(Alert.class).fingerprint();
            try (PreparedStatement cancel = admin.prepareStatement("SELECT pg_cancel_backend(?)")) {
                cancel.setInt(1, pid);
                cancel.execute();
            }
            sleeping.join();
            driver.watcher().await(Topics.ALERTS, s -> {
                Alert a = EventCodec.read(s.value()).dataAs(Alert.class);
                return a.fingerprint().equals(fingerprint) && a.status().equals("RESOLVED");
            }, Duration.ofSeconds(60));
        }
    }

    @Test
    @Order(4)
    void aTypeChangeOnATableWithRowsGoesThroughAShadowTableAndKeepsEveryRow() throws Exception {
        String v1 = new String(LocalStackMain.class.getResourceAsStream("/examples/shop-v1.yaml").readAllBytes());
        EvolutionDriver.Outcome created = driver.evolve("shop", v1, "main", "shop", PATIENCE, System.out::println);
        assertTrue(created.completed(), "shop v1: " + created.finalProgress());
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO shop.orders (id, customer, amount) SELECT 'or_' || g, 'cus_' || (g % 50), g * 100 "
                    + "FROM generate_series(1, 5000) g");
        }
        String decimal = new String(getClass().getResourceAsStream("/shop-amount-decimal.yaml").readAllBytes());
        EvolutionDriver.Outcome changed = driver.evolve("shop", decimal, "main", "shop", PATIENCE, System.out::println);
        assertTrue(changed.completed(), "amount to numeric: " + changed.finalProgress());
        assertEquals("SHADOW_TABLE", changed.plan().strategy(), "a type change is a rewrite: never a plain ALTER ... TYPE");
        assertTrue(changed.plan().requiresBackup());
        try (Connection c = target(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), sum(amount), pg_typeof(min(amount))::text FROM shop.orders")) {
            rs.next();
            assertEquals(5000, rs.getLong(1), "no row lost or duplicated");
            assertEquals(new java.math.BigDecimal("1250250000"), rs.getBigDecimal(2));
            assertEquals("numeric", rs.getString(3));
        }
    }

    @Test
    @Order(5)
    void aWorkerKilledInTheMiddleOfAShadowMigrationResumesAfterRestartAndLosesNoRow() throws Exception {
        // a worker whose next shadow migration stops after its capture triggers exist, before the backfill
        stack.killAndRestart(LocalStack.Service.MIGRATION, Map.of("SHADOWSHIFT_MIGRATION_SHADOW_HOLD_BEFORE_BACKFILL", "300s"));
        String asText = new String(getClass().getResourceAsStream("/shop-amount-decimal.yaml").readAllBytes())
                .replace("amount: {type: number}", "amount: {type: string}").replace("version: \"3\"", "version: \"4\"");
        HttpResponse<String> submitted = driver.submit("shop", asText, "main", "shop");
        assertEquals(201, submitted.statusCode(), submitted.body());
        int version = EventCodec.mapper().readTree(submitted.body()).path("version").asInt();
        MigrationPlanned plan = driver.awaitPlan("shop", version, PATIENCE);
        assertEquals("SHADOW_TABLE", plan.strategy());
        driver.watcher().await(Topics.MIGRATION_PROGRESS, s -> {
            JsonNode data = EventCodec.read(s.value()).data();
            return data.path("planId").asText().equals(plan.planId()) && data.path("message").asText().contains("hold-before-backfill");
        }, PATIENCE);

        // the worker dies with the capture triggers in place; clients keep writing meanwhile
        stack.killAndRestart(LocalStack.Service.MIGRATION, Map.of());
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO shop.orders (id, customer, amount) SELECT 'or_' || g, 'cus_1', g FROM generate_series(5001, 5100) g");
            s.execute("DELETE FROM shop.orders WHERE id IN ('or_1', 'or_2')");
            s.execute("UPDATE shop.orders SET customer = 'cus_moved' WHERE id = 'or_3'");
        }

        MigrationProgress last = driver.awaitOutcome(plan.planId(), PATIENCE, System.out::println);
        assertEquals("COMPLETED", last.status(), "resumed after the kill: " + last);
        try (Connection c = target(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*), pg_typeof(min(amount))::text, "
                    + "(SELECT customer FROM shop.orders WHERE id = 'or_3') FROM shop.orders")) {
                rs.next();
                assertEquals(5098, rs.getLong(1), "5,000 + 100 inserted - 2 deleted while the worker was dead");
                assertEquals("text", rs.getString(2));
                assertEquals("cus_moved", rs.getString(3));
            }
            try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_ss\\_capture%'), "
                    + "(SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_ss\\_new\\_%')")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "capture triggers left behind");
                assertEquals(0, rs.getInt(2), "shadow tables left behind");
            }
        }
    }

    private static CloudEvent find(String topic, java.util.function.Predicate<CloudEvent> match) {
        return driver.events(topic).stream().filter(match).findFirst()
                .orElseThrow(() -> new AssertionError("no such event on " + topic));
    }

    private static Connection target() throws Exception {
        var pg = stack.infrastructure().postgres();
        return pg.connect(LocalStack.TARGET_DATABASE);
    }

    private static Set<String> columnsOf(Connection c, String table) throws Exception {
        Set<String> columns = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'stripe' AND table_name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        return columns;
    }

    private static int tableCount(Connection c) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'stripe'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static JsonNode getJson(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + " answered " + r.body());
        return EventCodec.mapper().readTree(r.body());
    }

}
