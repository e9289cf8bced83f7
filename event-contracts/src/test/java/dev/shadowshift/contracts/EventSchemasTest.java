package dev.shadowshift.contracts;

import dev.shadowshift.contracts.changes.ChangeKind;
import dev.shadowshift.contracts.changes.ChangePath;
import dev.shadowshift.contracts.changes.Classification;
import dev.shadowshift.contracts.changes.LockLevel;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.contracts.events.Alert;
import dev.shadowshift.contracts.events.BackupCompleted;
import dev.shadowshift.contracts.events.SpecChanged;
import dev.shadowshift.contracts.events.BackupFailed;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.contracts.events.SpecSubmitted;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventSchemasTest {

    @Test
    void aWrittenEventReadsBackAndMatchesItsSchema() {
        CloudEvent event = EventCodec.create("/schema-service", "stripe",
                new SpecSubmitted("stripe", "{\"openapi\":\"3.0.0\"}", null, null, null));
        CloudEvent parsed = EventSchemas.parse(EventCodec.write(event), EventType.SPEC_SUBMITTED);
        assertEquals("dev.shadowshift.spec.submitted.v1", parsed.type());
        assertEquals("stripe", parsed.dataAs(SpecSubmitted.class).subject());
    }

    @Test
    void specSubmittedMayAskForStrictNames() {
        CloudEvent event = EventCodec.create("/upstream", "box", new SpecSubmitted("box", "{}", null, null, null, true));
        assertEquals(Boolean.TRUE, EventSchemas.parse(EventCodec.write(event), EventType.SPEC_SUBMITTED)
                .dataAs(SpecSubmitted.class).strictNames());
    }

    @Test
    void everyTypeHasASchemaOnTheClasspath() {
        for (EventType type : EventType.values()) {
            assertTrue(EventSchemas.class.getResource(type.schemaResource()) != null, type.schemaResource());
        }
    }

    @Test
    void notJsonIsRejectedWithTheReason() {
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventSchemas.parse("{oops", null));
        assertTrue(e.getMessage().startsWith("record value is not JSON"), e.getMessage());
    }

    @Test
    void anUnknownTypeIsNamed() {
        String json = EventCodec.write(EventCodec.create("/x", "s", new BackupFailed("p", "main", List.of(), "disk full")))
                .replace("dev.shadowshift.backup.failed.v1", "dev.shadowshift.backup.exploded.v1");
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventSchemas.parse(json, null));
        assertTrue(e.getMessage().contains("dev.shadowshift.backup.exploded.v1"), e.getMessage());
    }

    @Test
    void anEventOnTheWrongTopicIsRejected() {
        String json = EventCodec.write(EventCodec.create("/x", "s", new BackupFailed("p", "main", List.of(), "disk full")));
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> EventSchemas.parse(json, EventType.BACKUP_COMPLETED));
        assertTrue(e.getMessage().contains("does not belong on this topic"), e.getMessage());
    }

    private static Alert alert(String status, Map<String, String> labels, String fingerprint) {
        return new Alert(status, labels, Map.of("summary", "main: 3 s idle in transaction", "description", "pid 42 is idle "
                + "in transaction for 3 s (threshold 2 s)", "runbook_url", "http://localhost:8084/runbooks#idle_in_transaction"),
                "2026-01-01T00:00:00Z", "2026-01-01T00:04:00Z", "http://localhost:8084/#alerts", fingerprint);
    }

    @Test
    void anAlertmanagerShapedAlertMatchesTheSchema() {
        Map<String, String> labels = Map.of("alertname", "idle_in_transaction", "severity", "warning", "target", "main",
                "database", "shop");
        Alert alert = alert("firing", labels, Alert.fingerprintOf(labels));
        Alert parsed = EventSchemas.parse(EventCodec.write(EventCodec.create("/m", alert.fingerprint(), alert)), EventType.ALERT)
                .dataAs(Alert.class);
        assertEquals(alert, parsed);
        assertEquals("idle_in_transaction", parsed.alertname());
        assertTrue(parsed.firingAt(java.time.Instant.parse("2026-01-01T00:01:00Z")));
        assertTrue(!parsed.firingAt(java.time.Instant.parse("2026-01-01T00:05:00Z")), "past endsAt its sender is gone");
    }

    @Test
    void invalidDataNamesTheField() {
        Map<String, String> labels = Map.of("alertname", "long_running_query", "severity", "warning", "target", "main");
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventSchemas.parse(
                EventCodec.write(EventCodec.create("/m", "fp", alert("firing", labels, "not-hex!"))), EventType.ALERT));
        assertTrue(e.getMessage().contains("fingerprint"), e.getMessage());

        Map<String, String> shouting = Map.of("alertname", "long_running_query", "severity", "CRITICAL", "target", "main");
        e = assertThrows(InvalidEventException.class, () -> EventSchemas.parse(EventCodec.write(EventCodec.create("/m", "fp",
                alert("firing", shouting, Alert.fingerprintOf(shouting)))), EventType.ALERT));
        assertTrue(e.getMessage().contains("severity"), e.getMessage());

        Map<String, String> anonymous = Map.of("severity", "warning", "target", "main");
        e = assertThrows(InvalidEventException.class, () -> EventSchemas.parse(EventCodec.write(EventCodec.create("/m", "fp",
                alert("FIRING", anonymous, Alert.fingerprintOf(anonymous)))), EventType.ALERT));
        assertTrue(e.getMessage().contains("alertname") && e.getMessage().contains("status"), e.getMessage());
    }

    @Test
    void theFingerprintIsAlertmanagersFnvOfTheSortedLabels() {
        assertEquals("cbf29ce484222325", Alert.fingerprintOf(Map.of()), "FNV-1a offset basis for no labels");
        Map<String, String> a = new java.util.LinkedHashMap<>();
        a.put("target", "main");
        a.put("alertname", "deadlocks");
        Map<String, String> b = new java.util.TreeMap<>(a);
        assertEquals(Alert.fingerprintOf(a), Alert.fingerprintOf(b), "label order does not matter");
        assertTrue(Alert.fingerprintOf(a).matches("[0-9a-f]{16}"));
        assertTrue(!Alert.fingerprintOf(a).equals(Alert.fingerprintOf(Map.of("alertname", "deadlocks", "target", "other"))));
    }

    @Test
    void aHostileSubjectIsRejected() {
        String json = EventCodec.write(EventCodec.create("/x", "s",
                new SpecSubmitted("x\"; DROP TABLE users; --", "{}", null, null, null)));
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> EventSchemas.parse(json, EventType.SPEC_SUBMITTED));
        assertTrue(e.getMessage().contains("subject"), e.getMessage());
    }

    @Test
    void aBackupMadeForNoPlanSaysSoWithAnExplicitNullPlanId() {
        BackupCompleted backup = new BackupCompleted(null, "b1", "main", List.of("shop.customers"), "directory", "/b/b1",
                10, "a".repeat(64), 4, true, "2026-01-08T00:00:00Z", "SCHEDULED",
                List.of(new BackupCompleted.TableRows("shop.customers", 3)));
        String json = EventCodec.write(EventCodec.create("/b", "b1", backup));
        assertTrue(json.contains("\"planId\":null"), json);
        BackupCompleted read = EventSchemas.parse(json, EventType.BACKUP_COMPLETED).dataAs(BackupCompleted.class);
        assertEquals(null, read.planId());
        assertEquals(3, read.tableRows().get(0).rows());
    }

    @Test
    void aCorruptBackupIsAFailureWithItsStatusAndTheFirstVersionStillReads() {
        String corrupt = EventCodec.write(EventCodec.create("/b", "p", new BackupFailed("p", "main", List.of("shop.t"),
                "sha256 mismatch", "b1", BackupFailed.CORRUPT, "PLAN")));
        assertTrue(EventSchemas.parse(corrupt, EventType.BACKUP_FAILED).dataAs(BackupFailed.class).corrupt());
        String v1 = EventCodec.write(EventCodec.create("/b", "p", new BackupFailed("p", "main", List.of(), "disk full")));
        assertTrue(!EventSchemas.parse(v1, EventType.BACKUP_FAILED).dataAs(BackupFailed.class).corrupt());
        String wrongStatus = corrupt.replace("\"CORRUPT\"", "\"BROKEN\"");
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventSchemas.parse(wrongStatus, EventType.BACKUP_FAILED));
        assertTrue(e.getMessage().contains("status"), e.getMessage());
    }

    private static SchemaChange addColumn(String schema, String column, String type) {
        return new SchemaChange(ChangeKind.ADD_COLUMN, schema, "customers", column, null, type, true, null, null, null,
                "property added", Classification.ADDITIVE, LockLevel.ACCESS_EXCLUSIVE, ChangePath.IN_PLACE);
    }

    private static String specChanged(SchemaChange change) {
        return EventCodec.write(EventCodec.create("/x", "shop", new SpecChanged("shop", 2, 1, "0".repeat(64), "main",
                change.schema(), "BACKWARD", List.of(change))));
    }

    @Test
    void aTypedChangeReadsBackWithItsLabelsAndLiteral() {
        SchemaChange change = new SchemaChange(ChangeKind.ADD_COLUMN, "shop", "customers", "visits", null, "bigint", false,
                new SchemaChange.TypedLiteral("bigint", "0"), null, null, "new property", Classification.ADDITIVE,
                LockLevel.ACCESS_EXCLUSIVE, ChangePath.IN_PLACE);
        String json = specChanged(change);
        assertTrue(json.contains("\"default\":{\"type\":\"bigint\",\"value\":\"0\"}"), json);
        assertTrue(json.contains("\"lockLevel\":\"ACCESS EXCLUSIVE\""), json);
        SpecChanged back = EventSchemas.parse(json, EventType.SPEC_CHANGED).dataAs(SpecChanged.class);
        assertEquals(change, back.changes().get(0));
    }

    @Test
    void sqlWhereANameOrATypeBelongsIsRejectedByTheSchema() {
        List<SchemaChange> forged = List.of(
                addColumn("shop\"; DROP TABLE public.canary; --", "email", "text"),
                addColumn("shop", "email text; DROP TABLE public.canary", "text"),
                addColumn("shop", "email", "text; DROP TABLE public.canary"),
                addColumn("shop", "email", "text DEFAULT pg_sleep(10)"),
                addColumn("shop", "e--mail", "text"));
        for (SchemaChange change : forged) {
            InvalidEventException e = assertThrows(InvalidEventException.class,
                    () -> EventSchemas.parse(specChanged(change), EventType.SPEC_CHANGED), change.toString());
            assertTrue(e.getMessage().contains("is invalid"), e.getMessage());
        }
    }

    @Test
    void aFieldThatIsNotInTheContractIsRejected() {
        String json = specChanged(addColumn("shop", "email", "text"))
                .replace("\"kind\":\"ADD_COLUMN\"", "\"kind\":\"ADD_COLUMN\",\"sql\":\"DROP TABLE public.canary\"");
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventSchemas.parse(json, EventType.SPEC_CHANGED));
        assertTrue(e.getMessage().contains("sql"), e.getMessage());
    }

    @Test
    void theRetiredSqlCarryingV1IsRefusedWithItsReason() {
        String json = specChanged(addColumn("shop", "email", "text"))
                .replace("dev.shadowshift.spec.changed.v2", "dev.shadowshift.spec.changed.v1");
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventSchemas.parse(json, EventType.SPEC_CHANGED));
        assertTrue(e.getMessage().contains("retired") && e.getMessage().contains("carried SQL"), e.getMessage());
    }

    private static String migrationPlanned(List<PlanStep> steps) {
        return EventCodec.write(EventCodec.create("/migration-worker", "p-1", new MigrationPlanned("p-1", "stripe", 2, "main", "shop",
                "MIXED", "AWAITING_BACKUP", true, List.of("shop.customers"), "HIGH", 10, steps, List.of())));
    }

    private static List<PlanStep> typedSteps() {
        SchemaChange.IndexSpec index = new SchemaChange.IndexSpec("customers_email_idx", List.of("email"), true, "btree", false);
        return List.of(
                PlanStep.of(1, addColumn("shop", "email", "text"), LockLevel.ACCESS_EXCLUSIVE, ChangePath.IN_PLACE,
                        List.of(Classification.ADDITIVE)),
                PlanStep.of(2, new SchemaChange(ChangeKind.CREATE_INDEX, "shop", "customers", null, null, null, null, null, index,
                        null, null, null, null, null), LockLevel.SHARE_UPDATE_EXCLUSIVE, ChangePath.IN_PLACE, List.of(Classification.ADDITIVE)),
                PlanStep.shadow(3, PlanStep.Kind.SHADOW_COPY, "shop", "customers",
                        List.of(new PlanStep.Rewrite("visits", "integer", "bigint", true)), LockLevel.SHARE_ROW_EXCLUSIVE,
                        List.of(Classification.REWRITE)));
    }

    @Test
    void migrationPlannedStepsAreTypedDataThatReadsBack() {
        MigrationPlanned plan = EventSchemas.parse(migrationPlanned(typedSteps()), EventType.MIGRATION_PLANNED).dataAs(MigrationPlanned.class);
        assertEquals(typedSteps(), plan.steps());
        assertEquals("customers_email_idx", plan.steps().get(1).index().name());
        assertEquals(ChangeKind.CREATE_INDEX, plan.steps().get(1).change().kind());
        assertEquals(null, plan.steps().get(2).change(), "a shadow phase is no change of its own");
    }

    @Test
    void aStepCarryingSqlIsRejectedByTheSchema() {
        String json = migrationPlanned(typedSteps())
                .replace("\"kind\":\"ADD_COLUMN\"", "\"kind\":\"ADD_COLUMN\",\"sql\":\"DROP TABLE public.canary\"");
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventSchemas.parse(json, EventType.MIGRATION_PLANNED));
        assertTrue(e.getMessage().contains("sql"), e.getMessage());
    }

    @Test
    void aStepWithSqlInANameIsRejectedByTheSchema() {
        String json = migrationPlanned(typedSteps()).replace("\"customers_email_idx\"", "\"x; DROP TABLE public.canary\"");
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventSchemas.parse(json, EventType.MIGRATION_PLANNED));
        assertTrue(e.getMessage().contains("is invalid"), e.getMessage());
    }

    @Test
    void theRetiredSqlCarryingMigrationPlannedV1IsRefusedWithItsReason() {
        String json = migrationPlanned(typedSteps())
                .replace("dev.shadowshift.migration.planned.v2", "dev.shadowshift.migration.planned.v1");
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> EventSchemas.parse(json, EventType.MIGRATION_PLANNED));
        assertTrue(e.getMessage().contains("retired") && e.getMessage().contains("carried SQL text in its steps"), e.getMessage());
    }

    @Test
    void everyChangeKindIsAStepKind() {
        for (ChangeKind k : ChangeKind.values()) {
            assertEquals(k, PlanStep.Kind.of(k).changeKind());
        }
    }
}
