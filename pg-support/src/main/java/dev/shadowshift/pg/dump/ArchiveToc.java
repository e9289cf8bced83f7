package dev.shadowshift.pg.dump;

import java.util.List;

/**
 * The table of contents {@code pg_restore --list} prints for an archive. Entry lines look like
 * {@code 3345; 0 16390 TABLE DATA public accounts postgres}; comment lines start with ';'. Names are printed
 * unquoted with newlines turned into spaces, so a table is found by matching the whole line rather than by
 * splitting on spaces (which a name may contain).
 */
public record ArchiveToc(List<String> entries) {

    public static ArchiveToc parse(String listing) {
        return new ArchiveToc(listing.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith(";")).toList());
    }

    public int size() {
        return entries.size();
    }

    public boolean hasData(TableName table) {
        // anchored on both sides, so "accounts" is not found in the entry of a table called "accounts x"; an owner
        // name containing spaces would not match and fail the verification, which is the safe direction
        java.util.regex.Pattern entry = java.util.regex.Pattern.compile("^\\d+; \\d+ \\d+ TABLE DATA "
                + java.util.regex.Pattern.quote(sanitize(table.schema())) + " "
                + java.util.regex.Pattern.quote(sanitize(table.table())) + "( \\S+)?$");
        return entries.stream().anyMatch(e -> entry.matcher(e).matches());
    }

    private static String sanitize(String name) {
        return name.replace('\n', ' ').replace('\r', ' ');
    }
}
