package dev.shadowshift.schema.cli;

import dev.shadowshift.pg.cli.CliFlags;
import dev.shadowshift.pg.cli.DatabaseUrl;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The verb and its {@code --name=value} (or {@code --name value}) flags, checked. */
public record CliOptions(String verb, String spec, String existingDb, String schema, List<String> objects, String format,
                         boolean withIndexes, boolean ignoreDrops, String rule, Duration lockTimeout, int retries,
                         boolean strictNames) {

    public static final List<String> VERBS = List.of("diff-schema", "generate-evolution", "migrate");
    private static final Set<String> VALUED = Set.of("spec", "existing-db", "schema", "objects", "format", "rule",
            "lock-timeout", "retries");
    private static final Set<String> SWITCHES = Set.of("with-indexes", "ignore-drops", "strict-names");

    public static CliOptions parse(String[] args, Map<String, String> env) {
        if (args.length == 0) {
            throw new CliException("no command given; one of " + VERBS);
        }
        String verb = args[0];
        if (!VERBS.contains(verb)) {
            throw new CliException("unknown command '" + verb + "'; one of " + VERBS);
        }
        Map<String, String> flags;
        try {
            flags = CliFlags.parse(args, 1, VALUED, SWITCHES);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        String spec = flags.get("spec");
        if (spec == null || spec.isBlank()) {
            throw new CliException("--spec=FILE is required: the OpenAPI document (JSON or YAML) to compare with the database");
        }
        String db = flags.get("existing-db");
        if (db == null || db.isBlank()) {
            db = firstNonBlank(env.get("SHADOWSHIFT_DATABASE_URL"), env.get("DATABASE_URL"));
        }
        if (db == null) {
            throw new CliException("--existing-db=URL is required (or set DATABASE_URL): " + DatabaseUrl.EXPECTED);
        }
        String format = flags.getOrDefault("format", "sql").toLowerCase(Locale.ROOT);
        if (!format.equals("sql") && !format.equals("json") && !format.equals("event")) {
            throw new CliException("--format must be sql, json or event, not '" + flags.get("format") + "'");
        }
        List<String> objects = flags.get("objects") == null ? null
                : Arrays.stream(flags.get("objects").split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
        if (objects != null && objects.isEmpty()) {
            throw new CliException("--objects names no schema; give a comma-separated list such as --objects=customer,charge");
        }
        String rule = flags.getOrDefault("rule", "all-objects").toLowerCase(Locale.ROOT);
        if (!rule.equals("all-objects") && !rule.equals("objects-with-id")) {
            throw new CliException("--rule must be all-objects or objects-with-id, not '" + flags.get("rule") + "'");
        }
        Duration lockTimeout = duration(flags.getOrDefault("lock-timeout", "2s"));
        int retries;
        try {
            retries = Integer.parseInt(flags.getOrDefault("retries", "5"));
        } catch (NumberFormatException e) {
            throw new CliException("--retries must be a whole number, not '" + flags.get("retries") + "'");
        }
        if (retries < 0 || retries > 100) {
            throw new CliException("--retries must be between 0 and 100");
        }
        String schema = flags.get("schema");
        if (schema != null && schema.isBlank()) {
            throw new CliException("--schema is empty");
        }
        return new CliOptions(verb, spec, db, schema, objects, format, "true".equals(flags.get("with-indexes")),
                "true".equals(flags.get("ignore-drops")), rule, lockTimeout, retries, "true".equals(flags.get("strict-names")));
    }

    private static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return positive(Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))), text);
            }
            if (t.endsWith("s")) {
                return positive(Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000)), text);
            }
            return positive(Duration.parse(text), text);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new CliException("--lock-timeout must look like 2s or 500ms, not '" + text + "'");
        }
    }

    private static Duration positive(Duration d, String text) {
        if (d.isNegative() || d.isZero()) {
            throw new CliException("--lock-timeout must be positive, not '" + text + "'");
        }
        return d;
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
    }
}
