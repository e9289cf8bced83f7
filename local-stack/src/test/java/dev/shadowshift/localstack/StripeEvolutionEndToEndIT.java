package dev.shadowshift.localstack;

import dev.shadowshift.security.Roles;
import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventCodec;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.testkit.DatabaseRoles;
import dev.shadowshift.testkit.Infrastructure;
import dev.shadowshift.testkit.TopicWatcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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
import static org.junit.jupiter.api.Assertions.fail;

/**
 * All four services, one broker, one PostgreSQL: the Stripe spec of 2022-04-07, then that of 2022-04-12, and what an
 * operator would check afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StripeEvolutionEndToEndIT {

    private static final Path SPECS = dev.shadowshift.testkit.SharedSpecs.dir();
    private static final Duration PATIENCE = Duration.ofMinutes(4);

    private static LocalStack stack;
    private static EvolutionDriver driver;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startEverything() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        stack = LocalStack.start(new LocalStack.Options(root, root.resolve("local-stack/target/e2e"), false, Map.of(
                "SHADOWSHIFT_MONITOR_POLL_INTERVAL", "1s",
                "SHADOWSHIFT_MONITOR_RULES_LONG_RUNNING_QUERY_WARNING", "3s",
                // a SIGKILLed worker keeps its partitions until its session times out (45 s by default): its successor
                // would not see a new spec that long
                "KAFKA_SESSION_TIMEOUT_MS", "10000",
                // the kill tests check resuming from the trigger capture's checkpoints; a logical-capture run that dies
                // starts its backfill over from a new slot by design (migration-worker's LogicalCaptureTest kills one)
                "SHADOWSHIFT_MIGRATION_SHADOW_CAPTURE", "trigger")), System.out::println);
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
        List<SchemaChange> added = changed.changes().stream().filter(ch -> ch.kind() == ChangeKind.ADD_COLUMN).toList();
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
                .filter(b -> planId.equals(b.planId())).findFirst().orElseThrow();
        assertTrue(backup.verified());
        JsonNode catalog = getJson(stack.url(LocalStack.Service.BACKUP, "/backups/" + backup.backupId()));
        assertEquals("VERIFIED", catalog.path("status").asText(), catalog.toString());
        String scratch = Infrastructure.uniqueName("restore");
        HttpResponse<String> restore = HTTP.send(HttpRequest.newBuilder(URI.create(stack.url(LocalStack.Service.BACKUP,
                        "/backups/" + backup.backupId() + "/restore")))
                .header("Content-Type", "application/json")
                .header("Authorization", stack.bearer(Roles.OPERATOR))
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
        chain.add(find(Topics.BACKUP_COMPLETED, e -> planId.equals(e.dataAs(BackupCompleted.class).planId())));
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
    void everyServiceLogsInAsItsOwnRoleAndNoneAsASuperuser() throws Exception {
        var pg = stack.infrastructure().postgres();
        try (Connection c = pg.connect("postgres"); PreparedStatement ps = c.prepareStatement("""
                SELECT a.usename, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
                WHERE a.datname = ? AND a.pid <> pg_backend_pid()""")) {
            for (LocalStack.Service service : LocalStack.Service.values()) {
                ps.setString(1, service.stateDatabase);
                List<String> roles = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        assertFalse(rs.getBoolean(2), service.module + ": a superuser session " + rs.getString(1));
                        roles.add(rs.getString(1));
                    }
                }
                assertFalse(roles.isEmpty(), service.module + " holds sessions on its state database");
                assertTrue(roles.stream().allMatch(service.role().role()::equals), service.module + " logs in as " + roles);
            }
            ps.setString(1, LocalStack.TARGET_DATABASE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    assertFalse(rs.getBoolean(2), "a superuser session on the target: " + rs.getString(1));
                }
            }
        }
        try (Connection c = target(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'stripe'")) {
            assertTrue(rs.next());
            assertEquals("shadowshift_migration", rs.getString(1), "migration-worker created the tables as its role");
            assertFalse(rs.next());
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
                return a.alertname().equals("long_running_query") && a.status().equals(Alert.FIRING);
            }, Duration.ofSeconds(60));
            String fingerprint = EventCodec.read(firing.value()).dataAs(Alert.class).fingerprint();
            try (PreparedStatement cancel = admin.prepareStatement("SELECT pg_cancel_backend(?)")) {
                cancel.setInt(1, pid);
                cancel.execute();
            }
            sleeping.join();
            driver.watcher().await(Topics.ALERTS, s -> {
                Alert a = EventCodec.read(s.value()).dataAs(Alert.class);
                return a.fingerprint().equals(fingerprint) && a.status().equals(Alert.RESOLVED);
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
        stack.restart(LocalStack.Service.MIGRATION, Map.of("SHADOWSHIFT_MIGRATION_SHADOW_HOLD_BEFORE_BACKFILL", "300s"));
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

    /**
     * A real kill at one checkpoint of a shadow migration.
     *
     * @param checkpoint the worker's hold-at point, where it is SIGKILLed
     * @param redone     a progress message of the work the checkpoint recorded as done: a resumed run must not say it again
     * @param next       a progress message of the work after the checkpoint, which the resumed run must do (null: none)
     */
    record KillPoint(String checkpoint, String redone, String next) {
        @Override
        public String toString() {
            return checkpoint;
        }
    }

    static List<KillPoint> killPoints() {
        return List.of(
                new KillPoint("BACKFILL_BATCH", "creating shadow table", " from key "),
                new KillPoint("OPTIMIZED", "building indexes", "validating "),
                new KillPoint("VALIDATED", "validating ", "swapping "),
                new KillPoint("CUT_OVER", "swapping ", "serves from the rebuilt table (its cutover committed before this run)"));
    }

    /**
     * SIGKILL of the worker in the middle of backfill, after the indexes were built, after validation (just before the
     * swap) and after the swap committed (before the foreign keys are validated and the plan is reported done); clients
     * write while it is dead and right after its restart. Each time the restarted worker resumes from the checkpoint
     * (the swap is not redone, nor a finished backfill) and completes the plan: every write is there with the new type,
     * the original is kept as the rollback point with every write mirrored into it, and nothing else of the rebuild
     * remains.
     */
    @ParameterizedTest(name = "killed at {0}")
    @MethodSource("killPoints")
    @Order(6)
    void aWorkerKilledAtAShadowCheckpointResumesFromItAndEndsConsistent(KillPoint kill) throws Exception {
        String schema = "crash_" + kill.checkpoint().toLowerCase(java.util.Locale.ROOT);
        String reference = "crash_ref." + schema;
        String orders = schema + ".orders";
        // 500-row batches, so that BACKFILL_BATCH is in the middle of the backfill. A clean stop here: a SIGKILLed worker's
        // successor would not be given the new spec's partition until the dead member's Kafka session expired
        stack.restart(LocalStack.Service.MIGRATION, Map.of(
                "SHADOWSHIFT_MIGRATION_SHADOW_HOLD_AT", kill.checkpoint(),
                "SHADOWSHIFT_MIGRATION_SHADOW_HOLD_FOR", "300s",
                "SHADOWSHIFT_MIGRATION_SHADOW_BATCH_SIZE_INITIAL", "500",
                "SHADOWSHIFT_MIGRATION_SHADOW_BATCH_SIZE_MAX", "500"));
        String v1 = new String(LocalStackMain.class.getResourceAsStream("/examples/shop-v1.yaml").readAllBytes());
        EvolutionDriver.Outcome created = driver.evolve(schema, v1, "main", schema, PATIENCE, System.out::println);
        assertTrue(created.completed(), schema + " v1: " + created.finalProgress());
        try (Connection c = target(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + orders + " (id, customer, amount) SELECT 'or_' || g, 'cus_' || (g % 50), g * 100 "
                    + "FROM generate_series(1, 5000) g");
            s.execute("CREATE SCHEMA IF NOT EXISTS crash_ref");
            s.execute("CREATE TABLE " + reference + " AS SELECT id, customer, amount FROM " + orders);
        }

        String decimal = new String(getClass().getResourceAsStream("/shop-amount-decimal.yaml").readAllBytes());
        HttpResponse<String> submitted = driver.submit(schema, decimal, "main", schema);
        assertEquals(201, submitted.statusCode(), submitted.body());
        MigrationPlanned plan = driver.awaitPlan(schema, EventCodec.mapper().readTree(submitted.body()).path("version").asInt(), PATIENCE);
        assertEquals("SHADOW_TABLE", plan.strategy());
        MigrationProgress hold = EventCodec.read(driver.watcher().await(Topics.MIGRATION_PROGRESS, s -> {
            MigrationProgress p = EventCodec.read(s.value()).dataAs(MigrationProgress.class);
            return p.planId().equals(plan.planId()) && p.message() != null && p.message().contains("(hold-at)");
        }, PATIENCE).value()).dataAs(MigrationProgress.class);
        assertTrue(hold.message().startsWith("holding at " + kill.checkpoint() + " for 300s"), hold.message());
        assertEquals("RUNNING", hold.status());
        try (Connection state = stack.infrastructure().postgres().connect(LocalStack.Service.MIGRATION.stateDatabase);
             PreparedStatement ps = state.prepareStatement(
                     "SELECT phase, rows_copied, rows_total FROM shadow_migrations WHERE plan_id = ? AND table_name = 'orders'")) {
            ps.setString(1, plan.planId());
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "the worker checkpointed its rebuild");
                if (kill.checkpoint().equals("BACKFILL_BATCH")) {
                    assertEquals("BACKFILLING", rs.getString(1));
                    assertTrue(rs.getLong(2) > 0 && rs.getLong(2) < rs.getLong(3),
                            "in the middle of the backfill: " + rs.getLong(2) + " of " + rs.getLong(3) + " rows copied");
                } else {
                    assertEquals(kill.checkpoint(), rs.getString(1));
                }
            }
        }

        stack.kill(LocalStack.Service.MIGRATION);
        try (Connection c = target()) {
            assertEquals(kill.checkpoint().equals("CUT_OVER") ? "numeric" : "bigint", amountType(c, schema),
                    "the swap had committed before the kill, and only then");
            write(c, reference, orders, "INSERT INTO %s (id, customer, amount) SELECT 'or_' || g, 'cus_dead', g FROM generate_series(5001, 5100) g");
            write(c, reference, orders, "DELETE FROM %s WHERE id IN ('or_1', 'or_4999')");
            write(c, reference, orders, "UPDATE %s SET amount = 7, customer = 'cus_moved' WHERE id = 'or_2'");
            write(c, reference, orders, "UPDATE %s SET amount = 8 WHERE id = 'or_4998'");
        }
        stack.start(LocalStack.Service.MIGRATION, Map.of());
        try (Connection c = target()) {
            // as soon as the restarted worker is ready, racing its resume
            write(c, reference, orders, "INSERT INTO %s (id, customer, amount) SELECT 'or_' || g, 'cus_after', g FROM generate_series(5101, 5150) g");
            write(c, reference, orders, "DELETE FROM %s WHERE id = 'or_3'");
            write(c, reference, orders, "UPDATE %s SET amount = 9, customer = 'cus_after' WHERE id = 'or_4997'");
        }

        MigrationProgress last = driver.awaitOutcome(plan.planId(), PATIENCE, System.out::println);
        assertEquals("COMPLETED", last.status(), "resumed after the kill at " + kill.checkpoint() + ": " + last);
        List<String> afterKill = driver.progressOf(plan.planId()).stream().map(MigrationProgress::message)
                .filter(java.util.Objects::nonNull).dropWhile(m -> !m.contains("(hold-at)")).skip(1).toList();
        assertTrue(afterKill.stream().noneMatch(m -> m.contains(kill.redone())),
                "the resumed run redid what " + kill.checkpoint() + " had recorded: " + afterKill);
        if (kill.next() != null) {
            assertTrue(afterKill.stream().anyMatch(m -> m.contains(kill.next())), "the resumed run went on from " + kill.checkpoint() + ": " + afterKill);
        }

        try (Connection c = target(); Statement s = c.createStatement()) {
            assertEquals("numeric", amountType(c, schema));
            try (ResultSet rs = s.executeQuery("SELECT count(*), sum(amount), (SELECT customer || ' ' || amount FROM " + orders
                    + " WHERE id = 'or_2') FROM " + orders)) {
                rs.next();
                assertEquals(5147, rs.getLong(1), "5,000 + 100 inserted - 2 deleted while the worker was dead, + 50 - 1 after its restart");
                assertEquals("cus_moved 7", rs.getString(3));
            }
            assertSameRows(s, orders, reference, "the migrated table and the writes made to the reference");
            String rollback = rollbackPoint(s, schema);
            assertOnlyTheRollbackPointIsLeft(s, schema, rollback.substring("orders_ss_old_".length()));
            s.execute("INSERT INTO " + orders + " (id, customer, amount) VALUES ('or_fraction', 'cus_1', 12.34)");
            try (ResultSet rs = s.executeQuery("SELECT amount FROM " + orders + " WHERE id = 'or_fraction'")) {
                rs.next();
                assertEquals(new java.math.BigDecimal("12.34"), rs.getBigDecimal(1), "the new type serves");
            }
        }
    }

    /** Runs a client write on the table under migration and on its reference copy. */
    private static void write(Connection c, String reference, String table, String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute(String.format(sql, table));
            s.execute(String.format(sql, reference));
        }
    }

    private static String amountType(Connection c, String schema) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("SELECT data_type FROM information_schema.columns "
                + "WHERE table_schema = ? AND table_name = 'orders' AND column_name = 'amount'")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), schema + ".orders.amount exists");
                return rs.getString(1);
            }
        }
    }

    private static void assertSameRows(Statement s, String table, String other, String what) throws Exception {
        for (String[] pair : List.of(new String[]{table, other}, new String[]{other, table})) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT id, customer, amount::numeric FROM " + pair[0]
                    + " EXCEPT SELECT id, customer, amount::numeric FROM " + pair[1] + ") d")) {
                rs.next();
                assertEquals(0, rs.getLong(1), what + ": rows of " + pair[0] + " missing from or different in " + pair[1]);
            }
        }
    }

    /** The original table, kept after cutover: exactly one. */
    private static String rollbackPoint(Statement s, String schema) throws Exception {
        List<String> found = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = '" + schema + "' AND c.relkind = 'r' AND c.relname LIKE 'orders\\_ss\\_old\\_%'")) {
            while (rs.next()) {
                found.add(rs.getString(1));
            }
        }
        assertEquals(1, found.size(), "one rollback point in " + schema + ": " + found);
        return found.get(0);
    }

    /**
     * What a rebuild may leave in the user's schema once it completed, for its rollback window: the rollback table with
     * its indexes, and (where no slot captures) the window's key-only log triggers, whose function and key log are in the
     * tool's schema. No function of the tool in the user's schema, no capture trigger or function, no shadow
     * table or index, no cast-check function, no invalid index from a build the kill cut short.
     */
    private static void assertOnlyTheRollbackPointIsLeft(Statement s, String schema, String id) throws Exception {
        Set<String> rollbackTables = Set.of("orders_ss_old_" + id);
        try (ResultSet rs = s.executeQuery("SELECT c.relname, c.relkind, t.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid "
                + "LEFT JOIN pg_class t ON t.oid = i.indrelid WHERE n.nspname = '" + schema + "' AND c.relname LIKE '%\\_ss\\_%'")) {
            while (rs.next()) {
                String name = rs.getString(1);
                boolean ok = rs.getString(2).equals("i") ? rollbackTables.contains(rs.getString(3)) : rollbackTables.contains(name);
                assertTrue(ok, "left behind in " + schema + ": " + name + " (" + rs.getString(2) + " on " + rs.getString(3) + ")");
            }
        }
        try (ResultSet rs = s.executeQuery("SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '" + schema + "' AND NOT t.tgisinternal "
                + "AND t.tgname LIKE '%\\_ss\\_%'")) {
            while (rs.next()) {
                assertTrue(rs.getString(2).equals("orders") && Set.of("orders_ss_window_" + id, "orders_ss_window_trunc_" + id)
                        .contains(rs.getString(1)), "trigger left behind: " + rs.getString(1) + " on " + rs.getString(2));
            }
        }
        try (ResultSet rs = s.executeQuery("SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                + "WHERE n.nspname = '" + schema + "' AND p.proname LIKE '%\\_ss\\_%'")) {
            while (rs.next()) {
                fail("function of the tool left behind in " + schema + ": " + rs.getString(1));
            }
        }
        try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%\\_ss\\_capture%'), "
                + "(SELECT count(*) FROM pg_proc WHERE proname LIKE '%\\_ss\\_capture%' OR proname LIKE 'ss\\_castable%'), "
                + "(SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_ss\\_new\\_%'), "
                + "(SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "  WHERE n.nspname = '" + schema + "' AND NOT i.indisvalid)")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "capture triggers left behind");
            assertEquals(0, rs.getInt(2), "capture or cast-check functions left behind");
            assertEquals(0, rs.getInt(3), "shadow tables or indexes left behind");
            assertEquals(0, rs.getInt(4), "invalid indexes left behind");
        }
    }

    private static CloudEvent find(String topic, java.util.function.Predicate<CloudEvent> match) {
        return driver.events(topic).stream().filter(match).findFirst()
                .orElseThrow(() -> new AssertionError("no such event on " + topic));
    }

    /** The target as its owner (migration-worker's role), as an application of a deployment would write to it. */
    private static Connection target() throws Exception {
        var pg = stack.infrastructure().postgres();
        return DatabaseRoles.connect(DatabaseRoles.TARGET_OWNER, pg.jdbcUrl(LocalStack.TARGET_DATABASE));
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
