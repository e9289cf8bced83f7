package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.snapshot.PollHistory;
import dev.shadowshift.monitor.snapshot.TargetSnapshot;
import dev.shadowshift.monitor.snapshot.TargetSnapshot.DatabaseStats;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Rules over pg_stat_database, pg_stat_statements, replication and database size. The counters of pg_stat_database
 * are cumulative, so those rules compare this poll with the previous one: they cannot speak on the first poll or
 * after the counters were reset ({@link #comparable}).
 */
final class DatabaseRules {

    private DatabaseRules() {
    }

    /** The previous poll's counters, when they can be compared with this poll's. */
    static Optional<DatabaseStats> comparable(TargetSnapshot s, PollHistory h) {
        return h.previous().map(PollHistory.Previous::stats)
                .filter(p -> p.statsSince().equals(s.stats().statsSince()) && p.xactCommit() <= s.stats().xactCommit());
    }

    static List<Finding> deadlocks(TargetSnapshot s, DatabaseStats before, RuleSettings r) {
        long fresh = s.stats().deadlocks() - before.deadlocks();
        return r.severityOf(fresh).map(sev -> new Finding(r.rule(), s.target(), sev, Map.of(),
                String.format(Locale.ROOT, "%s: %d new deadlock%s in database %s", s.target(), fresh, fresh == 1 ? "" : "s",
                        s.database()),
                String.format(Locale.ROOT, "pg_stat_database counted %d deadlock%s in %s since the previous poll (fires above "
                                + "%s; critical above %s); the server log has the statements of each.", fresh,
                        fresh == 1 ? "" : "s", s.database(), Unit.COUNT.format(r.warning()),
                        r.critical() == null ? "-" : Unit.COUNT.format(r.critical())),
                fresh, r.threshold(sev))).stream().toList();
    }

    static List<Finding> rollbackRatio(TargetSnapshot s, DatabaseStats before, RuleSettings r) {
        long commits = s.stats().xactCommit() - before.xactCommit();
        long rollbacks = s.stats().xactRollback() - before.xactRollback();
        long all = commits + rollbacks;
        if (all < r.extra("min-transactions") || all <= 0) {
            return List.of();
        }
        double ratio = (double) rollbacks / all;
        return r.severityOf(ratio).map(sev -> new Finding(r.rule(), s.target(), sev, Map.of(),
                String.format(Locale.ROOT, "%s: %s of transactions rolled back", s.target(), Unit.percent(ratio)),
                String.format(Locale.ROOT, "%d of %d transactions in %s rolled back since the previous poll (%s; %s).",
                        rollbacks, all, s.database(), Unit.percent(ratio), r.levels()),
                ratio, r.threshold(sev))).stream().toList();
    }

    static List<Finding> cacheHitRatio(TargetSnapshot s, DatabaseStats before, RuleSettings r) {
        long hits = s.stats().blksHit() - before.blksHit();
        long reads = s.stats().blksRead() - before.blksRead();
        long all = hits + reads;
        if (all < r.extra("min-reads") || all <= 0) {
            return List.of();
        }
        double ratio = (double) hits / all;
        return r.severityOf(ratio).map(sev -> new Finding(r.rule(), s.target(), sev, Map.of(),
                String.format(Locale.ROOT, "%s: cache hit ratio %s", s.target(), Unit.percent(ratio)),
                String.format(Locale.ROOT, "%s of %d block requests in %s were served from shared_buffers since the previous "
                        + "poll; %d were read from disk (fires below: %s).", Unit.percent(ratio), all, s.database(), reads,
                        r.levels()),
                ratio, r.threshold(sev))).stream().toList();
    }

    static List<Finding> tempFiles(TargetSnapshot s, DatabaseStats before, RuleSettings r) {
        long bytes = s.stats().tempBytes() - before.tempBytes();
        long files = s.stats().tempFiles() - before.tempFiles();
        return r.severityOf(bytes).map(sev -> new Finding(r.rule(), s.target(), sev, Map.of(),
                String.format(Locale.ROOT, "%s: %s written to temporary files", s.target(), Unit.bytes(bytes)),
                String.format(Locale.ROOT, "%d temporary file%s, %s, written in %s since the previous poll (%s): sorts or "
                        + "hashes that did not fit in work_mem.", files, files == 1 ? "" : "s", Unit.bytes(bytes), s.database(),
                        r.levels()),
                bytes, r.threshold(sev))).stream().toList();
    }

    /** Mean time per call since the previous poll; a statement first seen now counts from zero. */
    static List<Finding> slowQueries(TargetSnapshot s, Map<Long, PollHistory.StatementTotals> before, RuleSettings r) {
        if (!s.statements().available()) {
            return List.of(new Finding(r.rule(), s.target(), Severity.INFO, Map.of(),
                    s.target() + ": slow_queries is blind: " + s.statements().unavailableReason(),
                    "slow_queries reads pg_stat_statements, which is not usable in database " + s.database() + ": "
                            + s.statements().unavailableReason() + ". Add pg_stat_statements to shared_preload_libraries "
                            + "(a restart), then CREATE EXTENSION pg_stat_statements in " + s.database() + ".",
                    0, null));
        }
        List<Finding> findings = new ArrayList<>();
        for (TargetSnapshot.Statement st : s.statements().rows()) {
            PollHistory.StatementTotals prev = before.getOrDefault(st.queryId(), new PollHistory.StatementTotals(0, 0));
            long calls = st.calls() - prev.calls();
            if (calls <= 0 || calls < r.extra("min-calls")) {
                continue; // fewer calls than before: evicted and back, or reset; wait for the next poll
            }
            double meanSeconds = (st.totalMillis() - prev.totalMillis()) / calls / 1000.0;
            Optional<Severity> sev = r.severityOf(meanSeconds);
            if (sev.isEmpty()) {
                continue;
            }
            String query = st.query() == null ? "(text not read)" : QueryText.redact(st.query());
            findings.add(new Finding(r.rule(), s.target(), sev.get(), Map.of("queryid", Long.toString(st.queryId())),
                    String.format(Locale.ROOT, "%s: statement %d takes %s per call", s.target(), st.queryId(),
                            Unit.duration(meanSeconds)),
                    String.format(Locale.ROOT, "Statement %d in %s ran %d times since the previous poll, %s per call on "
                            + "average (%s): %s", st.queryId(), s.database(), calls, Unit.duration(meanSeconds), r.levels(), query),
                    Math.round(meanSeconds * 1e6) / 1e6, r.threshold(sev.get())));
        }
        return findings;
    }

    static List<Finding> xidWraparound(TargetSnapshot s, RuleSettings r) {
        long age = s.stats().frozenXidAge();
        return r.severityOf(age).map(sev -> new Finding(r.rule(), s.target(), sev, Map.of(),
                String.format(Locale.ROOT, "%s: database %s is %s transactions old", s.target(), s.database(),
                        Unit.COUNT.format(age)),
                String.format(Locale.ROOT, "age(datfrozenxid) of %s is %s transactions (%s); writes stop at about 2 billion.%s",
                        s.database(), Unit.COUNT.format(age), r.levels(), s.oldestTable().map(t -> " The oldest table is "
                                + t.relation() + " at " + Unit.COUNT.format(t.age()) + ".").orElse("")),
                age, r.threshold(sev))).stream().toList();
    }

    static List<Finding> replicationLag(TargetSnapshot s, RuleSettings r) {
        List<Finding> findings = new ArrayList<>();
        s.standbyReplayLagSeconds().ifPresent(lag -> r.severityOf(lag).ifPresent(sev -> findings.add(new Finding(
                r.rule(), s.target(), sev, Map.of(),
                String.format(Locale.ROOT, "%s: this standby replays %s behind its primary", s.target(), Unit.duration(lag)),
                String.format(Locale.ROOT, "%s is a standby whose last replayed transaction is %s old while more WAL is "
                        + "waiting to be replayed (%s).", s.target(), Unit.duration(lag), r.levels()),
                Math.floor(lag * 1000) / 1000, r.threshold(sev)))));
        for (TargetSnapshot.Standby st : s.standbys()) {
            if (st.replayLagSeconds() == null) {
                continue;
            }
            r.severityOf(st.replayLagSeconds()).ifPresent(sev -> findings.add(new Finding(r.rule(), s.target(), sev,
                    Map.of("standby", st.name()),
                    String.format(Locale.ROOT, "%s: standby %s replays %s behind", s.target(), st.name(),
                            Unit.duration(st.replayLagSeconds())),
                    String.format(Locale.ROOT, "Standby %s (%s, %s) has a replay lag of %s%s (%s).", st.name(),
                            st.clientAddr() == null ? "local" : st.clientAddr(), st.state(),
                            Unit.duration(st.replayLagSeconds()),
                            st.lagBytes() == null ? "" : " and " + Unit.bytes(st.lagBytes()) + " of WAL to replay", r.levels()),
                    Math.floor(st.replayLagSeconds() * 1000) / 1000, r.threshold(sev))));
        }
        return findings;
    }

    static List<Finding> replicationSlotInactive(TargetSnapshot s, RuleSettings r) {
        List<Finding> findings = new ArrayList<>();
        for (TargetSnapshot.Slot slot : s.inactiveSlots()) {
            r.severityOf(slot.retainedBytes()).ifPresent(sev -> findings.add(new Finding(r.rule(), s.target(), sev,
                    Map.of("slot", slot.name()),
                    String.format(Locale.ROOT, "%s: inactive replication slot %s keeps %s of WAL", s.target(), slot.name(),
                            Unit.bytes(slot.retainedBytes())),
                    String.format(Locale.ROOT, "Replication slot %s (%s%s) has no consumer and keeps %s of WAL (%s; wal_status %s).",
                            slot.name(), slot.type(), slot.database() == null ? "" : ", database " + slot.database(),
                            Unit.bytes(slot.retainedBytes()), r.levels(), slot.walStatus()),
                    slot.retainedBytes(), r.threshold(sev))));
        }
        return findings;
    }

    /** Growth against the oldest sample within the window; needs a sample at least half a window old. */
    static Optional<List<Finding>> databaseSizeGrowth(TargetSnapshot s, long sizeNow, List<PollHistory.SizeSample> samples,
                                                      RuleSettings r) {
        Duration window = Duration.ofMillis((long) (r.extra("window") * 1000));
        Instant from = s.takenAt().minus(window);
        Optional<PollHistory.SizeSample> base = samples.stream().filter(x -> !x.at().isBefore(from))
                .min(Comparator.comparing(PollHistory.SizeSample::at));
        if (base.isEmpty() || Duration.between(base.get().at(), s.takenAt()).compareTo(window.dividedBy(2)) < 0
                || base.get().bytes() <= 0) {
            return Optional.empty();
        }
        long grown = sizeNow - base.get().bytes();
        double ratio = (double) grown / base.get().bytes();
        if (grown < r.extra("min-growth")) {
            return Optional.of(List.of());
        }
        Duration over = Duration.between(base.get().at(), s.takenAt());
        return Optional.of(r.severityOf(ratio).map(sev -> new Finding(r.rule(), s.target(), sev, Map.of(),
                String.format(Locale.ROOT, "%s: database %s grew %s in %s", s.target(), s.database(), Unit.percent(ratio),
                        Unit.duration(over.toSeconds())),
                String.format(Locale.ROOT, "Database %s grew from %s to %s (+%s, %s) in %s (%s).", s.database(),
                        Unit.bytes(base.get().bytes()), Unit.bytes(sizeNow), Unit.bytes(grown), Unit.percent(ratio),
                        Unit.duration(over.toSeconds()), r.levels()),
                ratio, r.threshold(sev))).stream().toList());
    }
}
