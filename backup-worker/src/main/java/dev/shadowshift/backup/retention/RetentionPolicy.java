package dev.shadowshift.backup.retention;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which of a target's archived backups retention removes. Pure: the catalog and the storage are the job's business.
 *
 * <p>A backup is due for removal when it is beyond the newest {@code keepLast} or older than {@code maxAge}. A due
 * backup is kept all the same while it is pinned (by an operator, or by its plan's open rollback window), and while
 * it is one of the newest {@code minVerified} VERIFIED backups: removing it would leave fewer verified ones than
 * that. CORRUPT backups count towards keep-last like any other but never towards min-verified, so a run of bad
 * archives cannot push out the last good one.
 */
public final class RetentionPolicy {

    public record Settings(int keepLast, Duration maxAge, int minVerified) {
        public Settings {
            if (keepLast < 1) {
                throw new IllegalArgumentException("keep-last must be at least 1, got " + keepLast);
            }
            if (minVerified < 0) {
                throw new IllegalArgumentException("min-verified must not be negative, got " + minVerified);
            }
            if (maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("max-age must be positive, got " + maxAge);
            }
        }
    }

    /** A backup that has an archive (VERIFIED or CORRUPT); {@code pinned} is its pin as of now. */
    public record Candidate(String backupId, Instant createdAt, boolean verified, boolean pinned) {
    }

    /** @param why the rule that decided, as the log and the catalog say it */
    public record Decision(String backupId, boolean remove, String why) {
    }

    private RetentionPolicy() {
    }

    /** One decision per candidate, newest first. */
    public static List<Decision> decide(List<Candidate> candidates, Settings settings, Instant now) {
        List<Candidate> newestFirst = candidates.stream()
                .sorted(Comparator.comparing(Candidate::createdAt).reversed().thenComparing(Candidate::backupId)).toList();
        List<Decision> decisions = new ArrayList<>();
        int verifiedKept = 0;
        for (int i = 0; i < newestFirst.size(); i++) {
            Candidate c = newestFirst.get(i);
            int rank = i + 1;
            Duration age = Duration.between(c.createdAt(), now);
            String due = rank > settings.keepLast() ? "beyond keep-last " + settings.keepLast() + " (it is the " + ordinal(rank) + " newest)"
                    : age.compareTo(settings.maxAge()) > 0 ? "older than max-age " + iso(settings.maxAge()) + " (" + round(age) + " old)"
                    : null;
            Decision d;
            if (due == null) {
                d = new Decision(c.backupId(), false, "within keep-last " + settings.keepLast() + " and max-age " + iso(settings.maxAge()));
            } else if (c.pinned()) {
                d = new Decision(c.backupId(), false, "pinned, although " + due);
            } else if (c.verified() && verifiedKept < settings.minVerified()) {
                d = new Decision(c.backupId(), false, "one of the newest min-verified " + settings.minVerified()
                        + " verified backup(s), although " + due);
            } else {
                d = new Decision(c.backupId(), true, due);
            }
            if (!d.remove() && c.verified()) {
                verifiedKept++;
            }
            decisions.add(d);
        }
        return decisions;
    }

    private static String ordinal(int n) {
        int mod100 = n % 100;
        String suffix = mod100 >= 11 && mod100 <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix;
    }

    /** P7D as configured, rather than Duration's PT168H. */
    private static String iso(Duration d) {
        return d.toSeconds() % 86400 == 0 ? "P" + d.toDays() + "D" : d.toString();
    }

    private static String round(Duration age) {
        return age.toDays() > 0 ? age.toDays() + "d " + age.toHoursPart() + "h" : age.toHours() + "h " + age.toMinutesPart() + "m";
    }
}
