package dev.shadowshift.backup.flow;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a restore may go: only into a new database, created by the restore itself, whose name matches
 * {@code shadowshift.backup.restore.allowed-pattern} (default {@code restore_.*}); never into a target database, a
 * service's state database, {@code postgres} or a template, whatever the pattern says.
 */
public final class RestoreGuard {

    /** Plain identifiers only, so nothing in a name needs quoting in a message or a command. */
    public static final Pattern DATABASE_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,62}$");

    private final Pattern allowed;
    private final Set<String> protectedNames;

    /**
     * @param allowed        the whole name must match
     * @param protectedNames the target databases and this service's state database
     */
    public RestoreGuard(Pattern allowed, Set<String> protectedNames) {
        this.allowed = allowed;
        this.protectedNames = protectedNames;
    }

    /** Why a restore into this database is refused, or empty when it may go ahead. */
    public Optional<Refused> refusal(String database) {
        if (database == null || !DATABASE_NAME.matcher(database).matches()) {
            return Optional.of(Refused.badRequest("database must match " + DATABASE_NAME.pattern() + ", got "
                    + (database == null ? "nothing" : "'" + database + "'")));
        }
        String lower = database.toLowerCase(Locale.ROOT);
        if (lower.equals("postgres") || lower.startsWith("template")) {
            return Optional.of(Refused.conflict("refusing to restore into '" + database + "': postgres and the templates are never "
                    + "restored into"));
        }
        if (protectedNames.stream().anyMatch(p -> p.equalsIgnoreCase(database))) {
            return Optional.of(Refused.conflict("refusing to restore into '" + database + "', a live target or state database; "
                    + "restore into a new database and copy what you need from there"));
        }
        if (!allowed.matcher(database).matches()) {
            return Optional.of(Refused.badRequest("database '" + database + "' does not match shadowshift.backup.restore.allowed-pattern "
                    + allowed.pattern() + "; a restore goes into a new database with such a name"));
        }
        return Optional.empty();
    }
}
