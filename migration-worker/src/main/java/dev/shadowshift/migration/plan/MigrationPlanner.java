package dev.shadowshift.migration.plan;

import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.PlanStep;
import dev.shadowshift.contracts.events.SchemaChange;
import dev.shadowshift.contracts.events.SpecChanged;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Turns a classified spec diff into a migration plan. Pure logic: what the live database holds comes in as
 * {@code estimatedRows} (pg_class.reltuples of the touched tables that exist), nothing here talks to PostgreSQL.
 *
 * <p>IN_PLACE changes become ordered steps: schemas, then new tables, then the changes to each table together
 * (columns before indexes before drops), so that execution can apply one table per short transaction.
 * SHADOW_TABLE and NEEDS_APPROVAL changes are carried as {@code pending}: this worker does not apply them.
 */
public final class MigrationPlanner {

    /** Above this many rows in the altered tables, even an in-place change is high risk (lock queues, long scans). */
    public static final long HIGH_RISK_ROWS = 1_000_000;

    private static final Set<String> CREATING_KINDS = Set.of("CREATE_SCHEMA", "CREATE_TABLE");
    private static final Set<String> HIGH_RISK_CLASSIFICATIONS =
            Set.of("DESTRUCTIVE", "REWRITE", "DATA_DEPENDENT", "BACKWARD_INCOMPATIBLE");
    private static final List<String> KIND_ORDER = List.of(
            "CREATE_SCHEMA", "CREATE_TABLE", "ADD_COLUMN", "DROP_NOT_NULL", "ALTER_COLUMN_TYPE", "SET_NOT_NULL",
            "CREATE_INDEX", "DROP_INDEX", "DROP_COLUMN", "DROP_TABLE");

    private MigrationPlanner() {
    }

    /** The same spec-changed event always yields the same plan id, so a redelivery finds the plan it made. */
    public static String planIdFor(String specChangedEventId) {
        return UUID.nameUUIDFromBytes(("migration-plan:" + specChangedEventId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Tables whose row estimates the planner wants: every table a change names (schemas excluded). */
    public static Set<String> touchedTables(SpecChanged spec) {
        Set<String> tables = new LinkedHashSet<>();
        for (SchemaChange c : spec.changes()) {
            if (!c.kind().equals("CREATE_SCHEMA") && c.table() != null && !c.table().isBlank()) {
                tables.add(c.table());
            }
        }
        return tables;
    }

    /**
     * @param estimatedRows row estimates of the touched tables that exist in the target, by unqualified name
     * @throws InvalidEventException when an IN_PLACE change carries no statement to run
     */
    public static MigrationPlanned plan(String planId, SpecChanged spec, Map<String, Long> estimatedRows) {
        List<SchemaChange> inPlace = new ArrayList<>();
        List<SchemaChange> pending = new ArrayList<>();
        for (int i = 0; i < spec.changes().size(); i++) {
            SchemaChange c = spec.changes().get(i);
            if ("IN_PLACE".equals(c.path())) {
                if (c.sql() == null || c.sql().isBlank()) {
                    throw new InvalidEventException("change " + i + " (" + c.kind() + " on '" + c.table()
                            + "') is IN_PLACE but carries no sql to run");
                }
                inPlace.add(c);
            } else {
                pending.add(c);
            }
        }

        List<SchemaChange> ordered = order(inPlace);
        List<PlanStep> steps = new ArrayList<>(ordered.size());
        for (int i = 0; i < ordered.size(); i++) {
            SchemaChange c = ordered.get(i);
            steps.add(new PlanStep(i + 1, c.table() == null ? "" : c.table(), c.kind(),
                    IdempotentSql.of(c.kind(), c.sql()), c.lockLevel(), c.path()));
        }

        Set<String> created = new LinkedHashSet<>();
        Set<String> altered = new LinkedHashSet<>();
        for (SchemaChange c : inPlace) {
            if (c.kind().equals("CREATE_TABLE")) {
                created.add(c.table());
            }
        }
        for (SchemaChange c : ordered) {
            if (!CREATING_KINDS.contains(c.kind()) && !created.contains(c.table())) {
                altered.add(c.table());
            }
        }
        boolean requiresBackup = !altered.isEmpty();
        List<String> backupTables = altered.stream().map(t -> spec.schema() + "." + t).toList();

        long rows = 0;
        for (String table : touchedTables(spec)) {
            rows += Math.max(0, estimatedRows.getOrDefault(table, 0L));
        }
        long alteredRows = altered.stream().mapToLong(t -> Math.max(0, estimatedRows.getOrDefault(t, 0L))).sum();

        return new MigrationPlanned(planId, spec.subject(), spec.version(), spec.target(), spec.schema(),
                strategy(steps, pending), status(steps, pending, requiresBackup), requiresBackup, backupTables,
                risk(spec.changes(), requiresBackup, pending, alteredRows), rows, steps, pending);
    }

    /** Schemas first, then new tables in spec order, then each existing table's changes together, by kind. */
    static List<SchemaChange> order(List<SchemaChange> changes) {
        Map<String, Integer> firstSeen = new LinkedHashMap<>();
        for (SchemaChange c : changes) {
            firstSeen.putIfAbsent(c.table() == null ? "" : c.table(), firstSeen.size());
        }
        List<SchemaChange> ordered = new ArrayList<>(changes);
        ordered.sort(Comparator
                .comparingInt((SchemaChange c) -> switch (c.kind()) {
                    case "CREATE_SCHEMA" -> 0;
                    case "CREATE_TABLE" -> 1;
                    default -> 2;
                })
                .thenComparingInt(c -> CREATING_KINDS.contains(c.kind()) ? 0 : firstSeen.get(c.table() == null ? "" : c.table()))
                .thenComparingInt(c -> kindRank(c.kind())));
        return ordered;
    }

    private static int kindRank(String kind) {
        int i = KIND_ORDER.indexOf(kind);
        return i < 0 ? KIND_ORDER.size() : i;
    }

    private static String strategy(List<PlanStep> steps, List<SchemaChange> pending) {
        boolean shadow = pending.stream().anyMatch(c -> "SHADOW_TABLE".equals(c.path()));
        // changes awaiting approval are applied in place once approved
        boolean inPlace = !steps.isEmpty() || pending.stream().anyMatch(c -> !"SHADOW_TABLE".equals(c.path()));
        if (shadow && inPlace) {
            return "MIXED";
        }
        return shadow ? "SHADOW_TABLE" : inPlace ? "IN_PLACE" : "NONE";
    }

    private static String status(List<PlanStep> steps, List<SchemaChange> pending, boolean requiresBackup) {
        if (steps.isEmpty()) {
            return pending.isEmpty() ? "NOTHING_TO_DO" : "AWAITING_APPROVAL";
        }
        return requiresBackup ? "AWAITING_BACKUP" : "READY";
    }

    private static String risk(List<SchemaChange> changes, boolean altersExisting, List<SchemaChange> pending,
                               long alteredRows) {
        boolean dangerous = changes.stream().anyMatch(c -> HIGH_RISK_CLASSIFICATIONS.contains(c.classification()));
        if (dangerous || (altersExisting && alteredRows >= HIGH_RISK_ROWS)) {
            return "HIGH";
        }
        boolean locking = changes.stream().anyMatch(c -> "LOCKING".equals(c.classification()));
        if (altersExisting || locking || !pending.isEmpty()) {
            return "MEDIUM";
        }
        return "LOW";
    }
}
