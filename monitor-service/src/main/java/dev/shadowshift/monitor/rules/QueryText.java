package dev.shadowshift.monitor.rules;

/**
 * Makes a statement fit to travel in an alert: literal values replaced by {@code ?} (they may be personal data or
 * secrets), whitespace collapsed, and the result capped. A best-effort lexer, not a parser: it knows quoted
 * strings, E'' strings, dollar quoting, quoted identifiers, comments and numbers, which covers what ends up in
 * pg_stat_activity.
 */
public final class QueryText {

    public static final int MAX_CHARS = 200;

    private QueryText() {
    }

    public static String redact(String sql) {
        return truncate(stripLiterals(sql == null ? "" : sql), MAX_CHARS);
    }

    public static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        // do not cut a surrogate pair in half
        int end = Character.isHighSurrogate(text.charAt(max - 2)) ? max - 2 : max - 1;
        return text.substring(0, end) + "…";
    }

    static String stripLiterals(String sql) {
        StringBuilder out = new StringBuilder(Math.min(sql.length(), 4096));
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'') {
                i = skipQuoted(sql, i, (i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')));
                if (!out.isEmpty() && (out.charAt(out.length() - 1) == 'E' || out.charAt(out.length() - 1) == 'e')
                        && (out.length() == 1 || !Character.isLetterOrDigit(out.charAt(out.length() - 2)))) {
                    out.setLength(out.length() - 1);
                }
                out.append('?');
            } else if (c == '"') {
                int end = sql.indexOf('"', i + 1);
                while (end >= 0 && end + 1 < n && sql.charAt(end + 1) == '"') {
                    end = sql.indexOf('"', end + 2);
                }
                end = end < 0 ? n : end + 1;
                out.append(sql, i, end);
                i = end;
            } else if (c == '$' && dollarTag(sql, i) != null) {
                String tag = dollarTag(sql, i);
                int end = sql.indexOf(tag, i + tag.length());
                i = end < 0 ? n : end + tag.length();
                out.append('?');
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end;
                appendSpace(out);
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                appendSpace(out);
            } else if (Character.isDigit(c) && !partOfWord(out)) {
                int end = i;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '.' || sql.charAt(end) == '_')) {
                    end++;
                }
                out.append('?');
                i = end;
            } else if (Character.isWhitespace(c)) {
                appendSpace(out);
                i++;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString().strip();
    }

    private static int skipQuoted(String sql, int start, boolean backslashEscapes) {
        int i = start + 1;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == '\'') {
                if (i + 1 < n && sql.charAt(i + 1) == '\'') {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return n;
    }

    /** {@code $$} or {@code $tag$} starting at i, or null when the $ is a parameter like $1. */
    private static String dollarTag(String sql, int i) {
        int j = i + 1;
        while (j < sql.length() && (Character.isLetter(sql.charAt(j)) || sql.charAt(j) == '_'
                || (j > i + 1 && Character.isDigit(sql.charAt(j))))) {
            j++;
        }
        return j < sql.length() && sql.charAt(j) == '$' ? sql.substring(i, j + 1) : null;
    }

    /** A digit right after a letter, digit, underscore or $ belongs to an identifier or parameter (t1, $1), not a number. */
    private static boolean partOfWord(StringBuilder out) {
        if (out.isEmpty()) {
            return false;
        }
        char prev = out.charAt(out.length() - 1);
        return Character.isLetterOrDigit(prev) || prev == '_' || prev == '$';
    }

    private static void appendSpace(StringBuilder out) {
        if (!out.isEmpty() && out.charAt(out.length() - 1) != ' ') {
            out.append(' ');
        }
    }
}
