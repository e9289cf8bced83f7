package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.snapshot.TargetSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Rules about tables, indexes and sequences: one alert per object, labelled {@code relation} (schema.name). */
final class ObjectRules {

    private ObjectRules() {
    }

    static List<Finding> deadTupleRatio(TargetSnapshot s, RuleSettings r) {
        List<Finding> findings = new ArrayList<>();
        for (TargetSnapshot.TableStats t : s.tables()) {
            if (t.deadTuples() < r.extra("min-dead-tuples")) {
                continue;
            }
            double ratio = t.deadRatio();
            r.severityOf(ratio).ifPresent(sev -> findings.add(new Finding(r.rule(), s.target(), sev,
                    Map.of("relation", t.relation()),
                    String.format(Locale.ROOT, "%s: %s is %s dead tuples", s.target(), t.relation(), Unit.percent(ratio)),
                    String.format(Locale.ROOT, "%s has %,d dead and %,d live tuples (%s dead; %s); last vacuum %s.",
                            t.relation(), t.deadTuples(), t.liveTuples(), Unit.percent(ratio), r.levels(), when(t.lastVacuum())),
                    ratio, r.threshold(sev))));
        }
        return findings;
    }

    /** A table never vacuumed counts from when the statistics began: it has not been vacuumed since at least then. */
    static List<Finding> tableNotVacuumed(TargetSnapshot s, RuleSettings r) {
        List<Finding> findings = new ArrayList<>();
        for (TargetSnapshot.TableStats t : s.tables()) {
            if (t.deadTuples() < r.extra("min-dead-tuples")) {
                continue;
            }
            double age = age(s, t.lastVacuum());
            r.severityOf(age).ifPresent(sev -> findings.add(new Finding(r.rule(), s.target(), sev,
                    Map.of("relation", t.relation()),
                    String.format(Locale.ROOT, "%s: %s not vacuumed for %s", s.target(), t.relation(), Unit.duration(age)),
                    String.format(Locale.ROOT, "%s has %,d dead tuples and was last vacuumed %s (%s).", t.relation(),
                            t.deadTuples(), t.lastVacuum() == null ? "never since statistics began " + s.stats().statsSince()
                                    : t.lastVacuum().toString(), r.levels()),
                    Math.floor(age), r.threshold(sev))));
        }
        return findings;
    }

    static List<Finding> tableNotAnalyzed(TargetSnapshot s, RuleSettings r) {
        List<Finding> findings = new ArrayList<>();
        for (TargetSnapshot.TableStats t : s.tables()) {
            if (t.modifiedSinceAnalyze() < r.extra("min-modified-rows")) {
                continue;
            }
            double age = age(s, t.lastAnalyze());
            r.severityOf(age).ifPresent(sev -> findings.add(new Finding(r.rule(), s.target(), sev,
                    Map.of("relation", t.relation()),
                    String.format(Locale.ROOT, "%s: %s not analyzed for %s", s.target(), t.relation(), Unit.duration(age)),
                    String.format(Locale.ROOT, "%s has %,d rows changed since its last analyze, %s (%s).", t.relation(),
                            t.modifiedSinceAnalyze(), t.lastAnalyze() == null ? "never since statistics began "
                                    + s.stats().statsSince() : t.lastAnalyze().toString(), r.levels()),
                    Math.floor(age), r.threshold(sev))));
        }
        return findings;
    }

    static List<Finding> invalidIndex(TargetSnapshot s, RuleSettings r) {
        return s.invalidIndexes().stream().map(i -> new Finding(r.rule(), s.target(), r.rule().fixedSeverity,
                Map.of("relation", i.relation()),
                String.format(Locale.ROOT, "%s: index %s is invalid", s.target(), i.relation()),
                String.format(Locale.ROOT, "Index %s on %s.%s is marked invalid (indisvalid = false) and no build of it is "
                        + "in progress: a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY failed. It slows every write "
                        + "and serves no read.", i.relation(), i.schema(), i.table()),
                1, null)).toList();
    }

    static List<Finding> unusedIndex(TargetSnapshot s, List<TargetSnapshot.UnusedIndex> unused, RuleSettings r) {
        double age = age(s, null);
        List<Finding> findings = new ArrayList<>();
        for (TargetSnapshot.UnusedIndex i : unused) {
            if (i.sizeBytes() < r.extra("min-size")) {
                continue;
            }
            r.severityOf(age).ifPresent(sev -> findings.add(new Finding(r.rule(), s.target(), sev,
                    Map.of("relation", i.relation()),
                    String.format(Locale.ROOT, "%s: index %s (%s) unused for %s", s.target(), i.relation(),
                            Unit.bytes(i.sizeBytes()), Unit.duration(age)),
                    String.format(Locale.ROOT, "Index %s on %s.%s (%s) has had no scan since statistics began %s, %s ago "
                                    + "(%s). It is not unique, so nothing but reads needs it.", i.relation(), i.schema(),
                            i.table(), Unit.bytes(i.sizeBytes()), s.stats().statsSince(), Unit.duration(age), r.levels()),
                    Math.floor(age), r.threshold(sev))));
        }
        return findings;
    }

    static List<Finding> sequenceExhaustion(TargetSnapshot s, List<TargetSnapshot.SequenceUsage> sequences, RuleSettings r) {
        List<Finding> findings = new ArrayList<>();
        for (TargetSnapshot.SequenceUsage q : sequences) {
            double used = q.fractionUsed();
            r.severityOf(used).ifPresent(sev -> findings.add(new Finding(r.rule(), s.target(), sev,
                    Map.of("relation", q.relation()),
                    String.format(Locale.ROOT, "%s: sequence %s has used %s of its range", s.target(), q.relation(),
                            Unit.percent(used)),
                    String.format(Locale.ROOT, "Sequence %s is at %,d of %,d (%s used; %s)%s. Inserts fail once it runs out.",
                            q.relation(), q.lastValue(), q.limit(), Unit.percent(used), r.levels(),
                            q.column() == null ? "" : "; it feeds " + q.column() + ", whose type sets the limit"),
                    Math.round(used * 1e6) / 1e6, r.threshold(sev))));
        }
        return findings;
    }

    private static double age(TargetSnapshot s, Instant last) {
        Instant since = last != null ? last : s.stats().statsSince();
        return Math.max(0, Duration.between(since, s.takenAt()).toMillis() / 1000.0);
    }

    private static String when(Instant at) {
        return at == null ? "never since statistics began" : at.toString();
    }
}
