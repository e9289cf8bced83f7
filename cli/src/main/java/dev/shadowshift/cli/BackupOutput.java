package dev.shadowshift.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How backups read on a terminal, from backup-worker's JSON. Pure: the same JSON and clock always print the same. */
final class BackupOutput {

    private static final int TABLES_WIDTH = 60;

    private BackupOutput() {
    }

    /** {@code backup list}: one row a backup, newest first as the worker sends them. */
    static String table(JsonNode backups, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "STATUS", "TRIGGER", "PINNED", "SIZE", "AGE", "TABLES"});
        for (JsonNode b : backups) {
            rows.add(new String[] {b.path("id").asText(), b.path("status").asText(), b.path("trigger").asText(), pinned(b),
                    b.hasNonNull("sizeBytes") ? size(b.path("sizeBytes").asLong()) : "-", age(b.path("createdAt").asText(null), now),
                    tables(b)});
        }
        return columns(rows);
    }

    /** {@code backup verify} and {@code backup create --wait}: the outcome, then each table's rows at dump time and restored. */
    static String detail(JsonNode b) {
        StringBuilder out = new StringBuilder();
        out.append("backup ").append(b.path("id").asText()).append(": ").append(b.path("status").asText());
        if (b.hasNonNull("reason")) {
            out.append(" (").append(b.path("reason").asText()).append(')');
        }
        out.append('\n');
        line(out, "target", b.path("target").asText() + (b.path("wholeDatabase").asBoolean() ? ", whole database" : ""));
        if (b.hasNonNull("sizeBytes")) {
            line(out, "archive", b.path("location").asText("-") + " (" + b.path("format").asText("?") + ", " + size(b.path("sizeBytes").asLong()) + ")");
        }
        if (b.hasNonNull("sha256")) {
            line(out, "sha256", b.path("sha256").asText());
        }
        if (b.hasNonNull("dumpSeconds")) {
            line(out, "took", String.format(Locale.ROOT, "%.1f s dump", b.path("dumpSeconds").asDouble())
                    + (b.hasNonNull("verifySeconds") ? String.format(Locale.ROOT, ", %.1f s verification restore", b.path("verifySeconds").asDouble()) : ""));
        }
        if (b.hasNonNull("lastVerifyError")) {
            line(out, "last check", "could not run: " + b.path("lastVerifyError").asText());
        }
        JsonNode tables = b.path("tables");
        if (tables.isArray() && !tables.isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"TABLE", "ROWS", "RESTORED", ""});
            for (JsonNode t : tables) {
                String rows0 = t.hasNonNull("rows") ? t.path("rows").asText() : "-";
                String restored = t.hasNonNull("restoredRows") ? t.path("restoredRows").asText() : "-";
                String mark = t.hasNonNull("rows") && t.hasNonNull("restoredRows") && t.path("rows").asLong() != t.path("restoredRows").asLong()
                        ? "MISMATCH" : "";
                rows.add(new String[] {t.path("name").asText(), rows0, restored, mark});
            }
            out.append(columns(rows));
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(String.format(Locale.ROOT, "  %-11s %s%n", key, value));
    }

    private static String pinned(JsonNode b) {
        if (b.path("pinnedByOperator").asBoolean()) {
            return "yes";
        }
        return b.path("pinned").asBoolean() ? "plan" : "no";
    }

    private static String tables(JsonNode b) {
        if (b.path("wholeDatabase").asBoolean()) {
            return "(whole database)";
        }
        List<String> names = new ArrayList<>();
        b.path("tables").forEach(t -> names.add(t.path("name").asText()));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            String next = (i == 0 ? "" : ", ") + names.get(i);
            String more = " +" + (names.size() - i) + " more";
            if (out.length() + next.length() > TABLES_WIDTH && i > 0) {
                return out + more;
            }
            out.append(next);
        }
        return out.toString();
    }

    /** 1024-based, as du -h and PostgreSQL's pg_size_pretty count. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    static String age(String timestamp, Instant now) {
        if (timestamp == null) {
            return "-";
        }
        Duration d = Duration.between(OffsetDateTime.parse(timestamp).toInstant(), now);
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        if (d.toMinutes() < 1) {
            return d.toSeconds() + "s";
        }
        if (d.toHours() < 1) {
            return d.toMinutes() + "m";
        }
        if (d.toDays() < 2) {
            return d.toHours() + "h";
        }
        return d.toDays() + "d";
    }

    private static String columns(List<String[]> rows) {
        int n = rows.get(0).length;
        int[] width = new int[n];
        for (String[] r : rows) {
            for (int i = 0; i < n; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < n; i++) {
                line.append(i == n - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
