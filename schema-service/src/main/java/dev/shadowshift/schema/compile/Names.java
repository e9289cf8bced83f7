package dev.shadowshift.schema.compile;

import java.util.Locale;
import java.util.Map;

/**
 * How spec names become PostgreSQL names, before quoting and shortening: component schemas become snake_case plural
 * table names, properties become snake_case column names. Characters other than word separators are kept as they
 * are (quotes, semicolons, unicode): {@link dev.shadowshift.pg.SqlIdentifiers} quotes them, so they cannot break SQL.
 */
public final class Names {

    /** Words whose plural is not made by a suffix. Kept short on purpose: table names must stay predictable. */
    private static final Map<String, String> IRREGULAR = Map.of(
            "person", "people",
            "child", "children");

    private Names() {
    }

    /**
     * camelCase, PascalCase, kebab-case, dotted and spaced names to snake_case, lower case:
     * {@code paymentIntent -> payment_intent}, {@code gist-full -> gist_full},
     * {@code api.v2010.account.call -> api_v2010_account_call}, {@code HTTPServer -> http_server}.
     */
    public static String snakeCase(String name) {
        StringBuilder out = new StringBuilder(name.length() + 8);
        int n = name.length();
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c == '-' || c == '.' || c == ' ' || c == '/' || c == '_') {
                if (out.length() > 0 && out.charAt(out.length() - 1) != '_') {
                    out.append('_');
                }
                continue;
            }
            if (Character.isUpperCase(c) && out.length() > 0 && out.charAt(out.length() - 1) != '_') {
                char prev = name.charAt(i - 1);
                boolean nextIsLower = i + 1 < n && Character.isLowerCase(name.charAt(i + 1));
                // a boundary before an upper-case letter that follows a lower-case letter or digit (fooBar), or that
                // ends an acronym (HTTPServer -> http_server)
                if (Character.isLowerCase(prev) || Character.isDigit(prev) || (Character.isUpperCase(prev) && nextIsLower)) {
                    out.append('_');
                }
            }
            out.append(c);
        }
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == '_') {
            end--;
        }
        String snake = out.substring(0, end).toLowerCase(Locale.ROOT);
        // a name made only of separators keeps its original form rather than becoming empty
        return snake.isEmpty() ? name.toLowerCase(Locale.ROOT) : snake;
    }

    /** The table name of a component schema: snake_case, last word pluralised. */
    public static String tableName(String schemaName) {
        String snake = snakeCase(schemaName);
        int cut = snake.lastIndexOf('_');
        return snake.substring(0, cut + 1) + pluralize(snake.substring(cut + 1));
    }

    public static String columnName(String propertyName) {
        return snakeCase(propertyName);
    }

    /**
     * English plural of one lower-case word, by rule: customer -> customers, intent -> intents, -y after a consonant
     * -> -ies, -s/-sh/-ch/-x/-z -> -es, words that already end in a plural -s stay as they are.
     */
    public static String pluralize(String word) {
        if (word.isEmpty()) {
            return word;
        }
        String irregular = IRREGULAR.get(word);
        if (irregular != null || IRREGULAR.containsValue(word)) {
            return irregular != null ? irregular : word;
        }
        if (word.endsWith("ss") || word.endsWith("us") || word.endsWith("sh") || word.endsWith("ch")
                || word.endsWith("x") || word.endsWith("z")) {
            return word + "es";
        }
        if (word.endsWith("is") && word.length() > 3) {
            return word.substring(0, word.length() - 2) + "es"; // analysis -> analyses
        }
        if (word.endsWith("s")) {
            return word; // already plural: customers, items, details
        }
        if (word.endsWith("y") && word.length() > 1 && !isVowel(word.charAt(word.length() - 2))) {
            return word.substring(0, word.length() - 1) + "ies";
        }
        return word + "s";
    }

    private static boolean isVowel(char c) {
        return "aeiou".indexOf(c) >= 0;
    }
}
