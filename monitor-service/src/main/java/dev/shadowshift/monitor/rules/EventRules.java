package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.snapshot.EventFacts;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Rules over what the consumed events say: backups and migration progress. They need no database read. */
final class EventRules {

    private EventRules() {
    }

    static List<Finding> backupTooOld(String target, EventFacts f, Instant now, RuleSettings r) {
        if (f.lastBackup().isEmpty()) {
            return List.of();
        }
        double age = seconds(f.lastBackup().get(), now);
        return r.severityOf(age).map(sev -> new Finding(r.rule(), target, sev, Map.of(),
                String.format(Locale.ROOT, "%s: newest backup is %s old", target, Unit.duration(age)),
                String.format(Locale.ROOT, "The newest backup-completed event for %s is from %s, %s ago (%s).", target,
                        f.lastBackup().get(), Unit.duration(age), r.levels()),
                Math.floor(age), r.threshold(sev))).stream().toList();
    }

    /** Fires from a backup-failed event until a backup-completed for the same target comes after it. */
    static List<Finding> backupFailed(String target, EventFacts f, RuleSettings r) {
        if (f.lastFailure().isEmpty()) {
            return List.of();
        }
        EventFacts.BackupFailure failure = f.lastFailure().get();
        if (f.lastBackup().isPresent() && !f.lastBackup().get().isBefore(failure.at())) {
            return List.of();
        }
        String reason = failure.reason() == null || failure.reason().isBlank() ? "no reason given"
                : QueryText.truncate(failure.reason(), 500);
        return List.of(new Finding(r.rule(), target, r.rule().fixedSeverity, Map.of(),
                String.format(Locale.ROOT, "%s: backup failed: %s", target, QueryText.truncate(reason, 120)),
                String.format(Locale.ROOT, "backup-worker reported at %s that a backup of %s failed: %s. A plan that "
                        + "waits for it does not proceed; the alert resolves with the next completed backup of %s.",
                        failure.at(), target, reason, target),
                1, null));
    }

    static List<Finding> migrationStalled(String target, EventFacts f, Instant now, RuleSettings r) {
        List<Finding> findings = new ArrayList<>();
        for (EventFacts.RunningPlan p : f.migrations()) {
            double age = seconds(p.lastEventAt(), now);
            r.severityOf(age).ifPresent(sev -> findings.add(new Finding(r.rule(), target, sev, Map.of("plan_id", p.planId()),
                    String.format(Locale.ROOT, "%s: migration %s has reported no progress for %s", target, p.planId(),
                            Unit.duration(age)),
                    String.format(Locale.ROOT, "Plan %s on %s last reported progress %s ago, in phase %s: %s (%s).", p.planId(),
                            target, Unit.duration(age), p.phase(), p.message() == null ? "no message" : p.message(), r.levels()),
                    Math.floor(age), r.threshold(sev))));
        }
        return findings;
    }

    private static double seconds(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis() / 1000.0);
    }
}
