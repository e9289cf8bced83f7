package dev.shadowshift.migration.shadow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the primary key out of one line of the {@code test_decoding} output plugin, e.g.
 * {@code table app.payments: UPDATE: old-key: id[bigint]:5 new-tuple: id[bigint]:-5 amount[bigint]:10}. Logical
 * capture needs nothing else from a change: like the trigger's change log, it records which keys were written, and
 * the apply copies their rows again from the original. Pure, so that its edge cases (quoted names and values,
 * array types, NULLs) are unit-tested.
 */
final class TestDecoding {

    enum Kind { INSERT, UPDATE, DELETE, TRUNCATE }

    /**
     * One decoded change of the table: its kind and the old and new key as text per key column (null where the
     * change has none: an insert has no old key, a delete no new one; an update that kept its key has only the new).
     */
    record Change(Kind kind, List<String> oldKey, List<String> newKey) {
    }

    private TestDecoding() {
    }

    /**
     * @param prefix the table as test_decoding prints it, {@code table <quote_ident(schema)>.<quote_ident(table)>: }
     * @return the change, or null for another table, BEGIN / COMMIT or a message
     * @throws IllegalArgumentException when a change of the table carries no key (replica identity NOTHING)
     */
    static Change parse(String line, String prefix, List<String> keyColumns) {
        if (!line.startsWith(prefix)) {
            return null;
        }
        String rest = line.substring(prefix.length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            return null;
        }
        Kind kind;
        try {
            kind = Kind.valueOf(rest.substring(0, colon));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (kind == Kind.TRUNCATE) {
            return new Change(kind, null, null);
        }
        Map<String, String> oldCols = null;
        Map<String, String> newCols = new HashMap<>();
        Map<String, String> into = newCols;
        int i = colon + 1;
        int n = rest.length();
        while (i < n) {
            while (i < n && rest.charAt(i) == ' ') {
                i++;
            }
            if (i >= n) {
                break;
            }
            if (rest.startsWith("old-key:", i)) {
                oldCols = new HashMap<>();
                into = oldCols;
                i += "old-key:".length();
                continue;
            }
            if (rest.startsWith("new-tuple:", i)) {
                into = newCols;
                i += "new-tuple:".length();
                continue;
            }
            if (rest.startsWith("(no-tuple-data)", i)) {
                i += "(no-tuple-data)".length();
                continue;
            }
            // name: a quoted identifier ("" doubles a quote) or plain up to '['
            StringBuilder name = new StringBuilder();
            if (rest.charAt(i) == '"') {
                i++;
                while (i < n) {
                    char ch = rest.charAt(i++);
                    if (ch == '"') {
                        if (i < n && rest.charAt(i) == '"') {
                            name.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        name.append(ch);
                    }
                }
            } else {
                while (i < n && rest.charAt(i) != '[') {
                    name.append(rest.charAt(i++));
                }
            }
            // [type]: the type may itself hold brackets (integer[]), so it ends at the first "]:"
            int typeEnd = rest.indexOf("]:", i);
            if (i >= n || rest.charAt(i) != '[' || typeEnd < 0) {
                throw new IllegalArgumentException("unreadable test_decoding output near position " + i + ": " + line);
            }
            i = typeEnd + 2;
            String value;
            if (i < n && (rest.charAt(i) == '\'' || (rest.charAt(i) == 'B' && i + 1 < n && rest.charAt(i + 1) == '\''))) {
                if (rest.charAt(i) == 'B') {
                    i++;
                }
                StringBuilder v = new StringBuilder();
                i++;
                while (i < n) {
                    char ch = rest.charAt(i++);
                    if (ch == '\'') {
                        if (i < n && rest.charAt(i) == '\'') {
                            v.append('\'');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        v.append(ch);
                    }
                }
                value = v.toString();
            } else {
                int end = rest.indexOf(' ', i);
                end = end < 0 ? n : end;
                String raw = rest.substring(i, end);
                value = raw.equals("null") ? null : raw;
                i = end;
            }
            into.put(name.toString(), value);
        }
        List<String> newKey = key(newCols, keyColumns);
        List<String> oldKey = oldCols == null ? null : key(oldCols, keyColumns);
        switch (kind) {
            case INSERT -> oldKey = null;
            case DELETE -> {
                oldKey = newKey;
                newKey = null;
            }
            default -> {
                if (oldKey == null) {
                    // the key did not change: the new tuple carries it
                    oldKey = newKey;
                }
            }
        }
        if ((kind != Kind.INSERT && oldKey == null) || (kind != Kind.DELETE && newKey == null)) {
            throw new IllegalArgumentException("a decoded " + kind + " carries no primary key (replica identity NOTHING?): " + line);
        }
        return new Change(kind, oldKey, newKey);
    }

    private static List<String> key(Map<String, String> cols, List<String> keyColumns) {
        List<String> key = new ArrayList<>();
        for (String k : keyColumns) {
            if (!cols.containsKey(k) || cols.get(k) == null) {
                return null;
            }
            key.add(cols.get(k));
        }
        return key;
    }
}
