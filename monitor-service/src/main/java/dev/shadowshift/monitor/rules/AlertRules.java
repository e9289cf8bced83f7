package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.snapshot.EventFacts;
import dev.shadowshift.monitor.snapshot.PollHistory;
import dev.shadowshift.monitor.snapshot.PollResult;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure alerting logic: one poll's rows (with what earlier polls and the consumed events left) in, findings out. No
 * I/O, no clock, no state; whether a finding is new, pending, firing or gone is
 * {@link dev.shadowshift.monitor.alerting.AlertStateMachine}'s job.
 */
public final class AlertRules {

    /**
     * @param decided the rules this evaluation can speak about: their alerts without a finding resolve. The others
     *                (target unreachable, no previous poll to compare with, no slow read this poll) keep their state.
     * @param notes   why a rule could not speak, for the dashboard
     */
    public record Evaluation(List<Finding> findings, Set<Rule> decided, Map<Rule, String> notes,
                             List<MigrationImpact> impacts) {
        public Evaluation(List<Finding> findings, Set<Rule> decided, Map<Rule, String> notes) {
            this(findings, decided, notes, List.of());
        }
    }

    /** What migration-worker's sessions call themselves on the targets, unless configured otherwise. */
    public static final String WORKER_APPLICATION = "shadowshift";

    private final RuleBook book;
    private final String workerApplication;

    public AlertRules(RuleBook book) {
        this(book, WORKER_APPLICATION);
    }

    /** @param workerApplication the application_name of migration-worker's sessions, for migration_impact */
    public AlertRules(RuleBook book, String workerApplication) {
        this.book = book;
        this.workerApplication = workerApplication;
    }

    public RuleBook book() {
        return book;
    }

    public Evaluation evaluate(PollResult result, PollHistory history, EventFacts facts, Instant now) {
        List<Finding> findings = new ArrayList<>();
        Set<Rule> decided = EnumSet.noneOf(Rule.class);
        Map<Rule, String> notes = new LinkedHashMap<>();
        String target = result.target();

        on(Rule.BACKUP_TOO_OLD, decided, findings, () -> EventRules.backupTooOld(target, facts, now, s(Rule.BACKUP_TOO_OLD)));
        on(Rule.BACKUP_FAILED, decided, findings, () -> EventRules.backupFailed(target, facts, s(Rule.BACKUP_FAILED)));
        on(Rule.MIGRATION_STALLED, decided, findings, () -> EventRules.migrationStalled(target, facts, now, s(Rule.MIGRATION_STALLED)));

        if (result instanceof PollResult.Unreachable u) {
            on(Rule.TARGET_UNREACHABLE, decided, findings, () -> List.of(new Finding(Rule.TARGET_UNREACHABLE, target,
                    Severity.CRITICAL, Map.of(), target + " cannot be reached: " + QueryText.truncate(u.reason(), 160),
                    "The monitor could not poll " + target + " (database " + u.database() + "): "
                            + QueryText.truncate(u.reason(), 500) + ". Its other alerts are held back until it answers again.",
                    1, null)));
            for (Rule r : Rule.values()) {
                if (r.source != Rule.Source.EVENTS && r != Rule.TARGET_UNREACHABLE) {
                    notes.put(r, "target unreachable");
                }
            }
            return new Evaluation(findings, decided, notes);
        }
        TargetSnapshot snap = ((PollResult.Reached) result).snapshot();
        decided.add(Rule.TARGET_UNREACHABLE);

        on(Rule.CONNECTION_SATURATION, decided, findings, () -> SessionRules.connectionSaturation(snap, s(Rule.CONNECTION_SATURATION)));
        on(Rule.LONG_RUNNING_QUERY, decided, findings, () -> SessionRules.longRunningQuery(snap, s(Rule.LONG_RUNNING_QUERY)));
        on(Rule.IDLE_IN_TRANSACTION, decided, findings, () -> SessionRules.idleInTransaction(snap, s(Rule.IDLE_IN_TRANSACTION)));
        on(Rule.BLOCKED_QUERIES, decided, findings, () -> SessionRules.blockedQueries(snap, s(Rule.BLOCKED_QUERIES)));
        on(Rule.DEAD_TUPLE_RATIO, decided, findings, () -> ObjectRules.deadTupleRatio(snap, s(Rule.DEAD_TUPLE_RATIO)));
        on(Rule.TABLE_NOT_VACUUMED, decided, findings, () -> ObjectRules.tableNotVacuumed(snap, s(Rule.TABLE_NOT_VACUUMED)));
        on(Rule.TABLE_NOT_ANALYZED, decided, findings, () -> ObjectRules.tableNotAnalyzed(snap, s(Rule.TABLE_NOT_ANALYZED)));
        on(Rule.INVALID_INDEX, decided, findings, () -> ObjectRules.invalidIndex(snap, s(Rule.INVALID_INDEX)));
        on(Rule.XID_WRAPAROUND, decided, findings, () -> DatabaseRules.xidWraparound(snap, s(Rule.XID_WRAPAROUND)));
        on(Rule.REPLICATION_LAG, decided, findings, () -> DatabaseRules.replicationLag(snap, s(Rule.REPLICATION_LAG)));
        on(Rule.REPLICATION_SLOT_INACTIVE, decided, findings, () -> DatabaseRules.replicationSlotInactive(snap, s(Rule.REPLICATION_SLOT_INACTIVE)));

        List<MigrationImpact> impacts = facts.migrations().stream().map(p -> MigrationRules.impact(snap, p,
                facts.migrations().stream().filter(o -> o != p).flatMap(o -> o.tables().stream())
                        .filter(t -> !p.tables().contains(t)).collect(java.util.stream.Collectors.toSet()),
                history.statements().orElse(Map.of()), s(Rule.MIGRATION_IMPACT), workerApplication)).toList();
        on(Rule.MIGRATION_IMPACT, decided, findings, () -> MigrationRules.migrationImpact(target, impacts, s(Rule.MIGRATION_IMPACT)));

        var before = DatabaseRules.comparable(snap, history);
        List<Rule> counterRules = List.of(Rule.DEADLOCKS, Rule.ROLLBACK_RATIO, Rule.CACHE_HIT_RATIO, Rule.TEMP_FILES);
        if (before.isPresent()) {
            var b = before.get();
            on(Rule.DEADLOCKS, decided, findings, () -> DatabaseRules.deadlocks(snap, b, s(Rule.DEADLOCKS)));
            on(Rule.ROLLBACK_RATIO, decided, findings, () -> DatabaseRules.rollbackRatio(snap, b, s(Rule.ROLLBACK_RATIO)));
            on(Rule.CACHE_HIT_RATIO, decided, findings, () -> DatabaseRules.cacheHitRatio(snap, b, s(Rule.CACHE_HIT_RATIO)));
            on(Rule.TEMP_FILES, decided, findings, () -> DatabaseRules.tempFiles(snap, b, s(Rule.TEMP_FILES)));
        } else {
            counterRules.forEach(r -> undecided(r, decided, notes, "no earlier poll to compare with yet"));
        }

        if (!snap.statements().available() || history.statements().isPresent()) {
            on(Rule.SLOW_QUERIES, decided, findings, () -> DatabaseRules.slowQueries(snap,
                    history.statements().orElse(Map.of()), s(Rule.SLOW_QUERIES)));
        } else {
            undecided(Rule.SLOW_QUERIES, decided, notes, "no earlier poll of pg_stat_statements to compare with yet");
        }

        if (snap.slow().isPresent()) {
            TargetSnapshot.SlowReads slow = snap.slow().get();
            on(Rule.SEQUENCE_EXHAUSTION, decided, findings, () -> ObjectRules.sequenceExhaustion(snap, slow.sequences(),
                    s(Rule.SEQUENCE_EXHAUSTION)));
            on(Rule.UNUSED_INDEX, decided, findings, () -> ObjectRules.unusedIndex(snap, slow.unusedIndexes(), s(Rule.UNUSED_INDEX)));
            if (!enabled(Rule.DATABASE_SIZE_GROWTH, decided)) {
                // disabled: decided, nothing to find
            } else if (slow.databaseSizeBytes().isPresent()) {
                var growth = DatabaseRules.databaseSizeGrowth(snap, slow.databaseSizeBytes().getAsLong(), history.sizes(),
                        s(Rule.DATABASE_SIZE_GROWTH));
                if (growth.isPresent()) {
                    decided.add(Rule.DATABASE_SIZE_GROWTH);
                    findings.addAll(growth.get());
                } else {
                    notes.put(Rule.DATABASE_SIZE_GROWTH, "no size sample half a window old yet");
                }
            }
        } else {
            for (Rule r : Rule.from(Rule.Source.SLOW_POLL)) {
                undecided(r, decided, notes, "read on the slow polls only");
            }
        }
        return new Evaluation(findings, decided, notes, impacts);
    }

    private RuleSettings s(Rule rule) {
        return book.of(rule);
    }

    /** A disabled rule is decided and finds nothing, so its alerts resolve. */
    private boolean enabled(Rule rule, Set<Rule> decided) {
        if (!book.enabled(rule)) {
            decided.add(rule);
            return false;
        }
        return true;
    }

    private void undecided(Rule rule, Set<Rule> decided, Map<Rule, String> notes, String why) {
        if (!book.enabled(rule)) {
            decided.add(rule);
        } else {
            notes.put(rule, why);
        }
    }

    private void on(Rule rule, Set<Rule> decided, List<Finding> findings, java.util.function.Supplier<List<Finding>> evaluate) {
        decided.add(rule);
        if (book.enabled(rule)) {
            findings.addAll(evaluate.get());
        }
    }
}
