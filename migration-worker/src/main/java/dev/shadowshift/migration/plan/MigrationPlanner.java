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
 * <p>Three paths. IN_PLACE changes become ordered steps: schemas, then new tables, then the changes to each table
 * together (columns before indexes), so that execution can apply one table per short transaction. Rewrites
 * (ALTER_COLUMN_TYPE, SET_NOT_NULL over existing rows) of one table are consolidated into ONE shadow-table
 * rebuild, a run of SHADOW_TABLE steps that the shadow engine executes as one. Destructive changes (DROP_COLUMN,
 * DROP_TABLE) come last as NEEDS_APPROVAL steps and hold the plan in AWAITING_APPROVAL until someone approves it.
 * Other changes that need a human (a NOT NULL column without default) stay {@code pending}: never applied.
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

    /** Kinds that rewrite or scan every row: they take the shadow-table path, consolidated per table. */
    public static final Set<String> SHADOW_KINDS = Set.of("ALTER_COLUMN_TYPE", "SET_NOT_NULL");
    /** Kinds that discard data: they run only after an explicit approval. */
    public static final Set<String> DESTRUCTIVE_KINDS = Set.of("DROP_COLUMN", "DROP_TABLE");
    public static final String SHADOW_TABLE = "SHADOW_TABLE";
    public static final String NEEDS_APPROVAL = "NEEDS_APPROVAL";

    /**
     * @param estimatedRows row estimates of the touched tables that exist in the target, by unqualified name
     * @throws InvalidEventException when an IN_PLACE change carries no statement to run
     */
    public static MigrationPlanned plan(String planId, SpecChanged spec, Map<String, Long> estimatedRows) {
        return planWithRebuilds(planId, spec, estimatedRows).plan();
    }

    /** A plan and the shadow rebuilds its SHADOW_TABLE steps stand for (stored with it, read by the engine). */
    public record Planned(MigrationPlanned plan, List<ShadowRebuild> rebuilds) {
    }

    public static Planned planWithRebuilds(String planId, SpecChanged spec, Map<String, Long> estimatedRows) {
        List<SchemaChange> inPlace = new ArrayList<>();
        List<SchemaChange> destructive = new ArrayList<>();
        List<SchemaChange> pending = new ArrayList<>();
        Map<String, List<SchemaChange>> rewrites = new LinkedHashMap<>();
        Set<String> createdTables = new LinkedHashSet<>();
        for (SchemaChange c : spec.changes()) {
            if (c.kind().equals("CREATE_TABLE") && "IN_PLACE".equals(c.path())) {
                createdTables.add(c.table());
            }
        }
        for (int i = 0; i < spec.changes().size(); i++) {
            SchemaChange c = spec.changes().get(i);
            if (SHADOW_KINDS.contains(c.kind()) && !createdTables.contains(c.table())) {
                rewrites.computeIfAbsent(c.table(), t -> new ArrayList<>()).add(c);
            } else if (DESTRUCTIVE_KINDS.contains(c.kind())) {
                requireSql(i, c, "it is destructive and runs once approved");
                destructive.add(c);
            } else if ("IN_PLACE".equals(c.path())) {
                requireSql(i, c, "it is IN_PLACE");
                inPlace.add(c);
            } else {
                pending.add(c);
            }
        }

        List<PlanStep> steps = new ArrayList<>();
        for (SchemaChange c : order(inPlace)) {
            steps.add(new PlanStep(steps.size() + 1, c.table() == null ? "" : c.table(), c.kind(),
                    IdempotentSql.of(c.kind(), c.sql()), c.lockLevel(), c.path()));
        }
        List<ShadowRebuild> rebuilds = new ArrayList<>();
        for (Map.Entry<String, List<SchemaChange>> e : rewrites.entrySet()) {
            ShadowRebuild rebuild = rebuild(spec.schema(), e.getKey(), e.getValue());
            rebuilds.add(rebuild);
            for (ShadowSteps.Step s : ShadowSteps.of(planId, rebuild)) {
                steps.add(new PlanStep(steps.size() + 1, rebuild.table(), s.kind(), s.sql(), s.lockLevel(), SHADOW_TABLE));
            }
        }
        for (SchemaChange c : order(destructive)) {
            steps.add(new PlanStep(steps.size() + 1, c.table(), c.kind(), IdempotentSql.of(c.kind(), c.sql()),
                    c.lockLevel(), NEEDS_APPROVAL));
        }

        Set<String> altered = new LinkedHashSet<>();
        for (PlanStep s : steps) {
            if (!CREATING_KINDS.contains(s.kind()) && !createdTables.contains(s.table())) {
                altered.add(s.table());
            }
        }
        boolean requiresBackup = !altered.isEmpty();
        List<String> backupTables = altered.stream().map(t -> spec.schema() + "." + t).toList();

        long rows = 0;
        for (String table : touchedTables(spec)) {
            rows += Math.max(0, estimatedRows.getOrDefault(table, 0L));
        }
        long alteredRows = altered.stream().mapToLong(t -> Math.max(0, estimatedRows.getOrDefault(t, 0L))).sum();

        MigrationPlanned plan = new MigrationPlanned(planId, spec.subject(), spec.version(), spec.target(), spec.schema(),
                strategy(steps, pending), status(steps, pending, requiresBackup), requiresBackup, backupTables,
                risk(spec.changes(), requiresBackup, pending, alteredRows), rows, steps, pending);
        return new Planned(plan, rebuilds);
    }

    private static void requireSql(int i, SchemaChange c, String why) {
        if (c.sql() == null || c.sql().isBlank()) {
            throw new InvalidEventException("change " + i + " (" + c.kind() + " on '" + c.table()
                    + "') carries no sql to run, but " + why);
        }
    }

    /** Merges one table's type changes and SET NOT NULLs into one rebuild, one entry per column. */
    static ShadowRebuild rebuild(String schema, String table, List<SchemaChange> changes) {
        Map<String, ShadowRebuild.ColumnChange> byColumn = new LinkedHashMap<>();
        for (SchemaChange c : changes) {
            if (c.column() == null || c.column().isBlank()) {
                throw new InvalidEventException(c.kind() + " on '" + table + "' names no column");
            }
            ShadowRebuild.ColumnChange prev = byColumn.get(c.column());
            String to = prev == null ? null : prev.toType();
            String from = prev == null ? null : prev.fromType();
            boolean notNull = prev != null && prev.setNotNull();
            if (c.kind().equals("ALTER_COLUMN_TYPE")) {
                String[] types = TypeNames.fromDifferDescription(schema, table, c.column(), c.sql())
                        .orElseThrow(() -> new InvalidEventException("ALTER_COLUMN_TYPE on '" + table + "." + c.column()
                                + "' does not say its target type (expected sql 'target state: <column> of type <type> (live: <type>)')"));
                to = TypeNames.require(types[0], "target type of '" + table + "." + c.column() + "'");
                from = TypeNames.valid(types[1]) ? types[1] : null;
            } else {
                notNull = true;
            }
            byColumn.put(c.column(), new ShadowRebuild.ColumnChange(c.column(), to, from, notNull));
        }
        return new ShadowRebuild(schema, table, List.copyOf(byColumn.values()));
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
        boolean shadow = steps.stream().anyMatch(s -> SHADOW_TABLE.equals(s.path()));
        boolean other = steps.stream().anyMatch(s -> !SHADOW_TABLE.equals(s.path())) || !pending.isEmpty();
        if (shadow && other) {
            return "MIXED";
        }
        return shadow ? "SHADOW_TABLE" : other ? "IN_PLACE" : "NONE";
    }

    /** Destructive steps hold the whole plan until approved: a plan is applied as one unit, in its order. */
    private static String status(List<PlanStep> steps, List<SchemaChange> pending, boolean requiresBackup) {
        if (steps.isEmpty()) {
            return pending.isEmpty() ? "NOTHING_TO_DO" : "AWAITING_APPROVAL";
        }
        if (steps.stream().anyMatch(s -> NEEDS_APPROVAL.equals(s.path()))) {
            return "AWAITING_APPROVAL";
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
