package dev.shadowshift.schema.compile;

import dev.shadowshift.pg.SqlIdentifiers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How spec names become PostgreSQL names, before quoting and shortening: component schemas become snake_case plural
 * table names, properties become snake_case column names. Characters other than word separators are kept as they
 * are (quotes, semicolons, unicode): {@link dev.shadowshift.pg.SqlIdentifiers} quotes them, so they cannot break SQL.
 */
public final class Names {

    /**
     * Words whose plural is not made by a suffix. Also read backwards: a word that already is one of these plurals
     * stays as it is (people, children, criteria).
     */
    private static final Map<String, String> IRREGULAR = Map.ofEntries(
            Map.entry("person", "people"), Map.entry("child", "children"), Map.entry("man", "men"),
            Map.entry("woman", "women"), Map.entry("mouse", "mice"), Map.entry("goose", "geese"),
            Map.entry("foot", "feet"), Map.entry("tooth", "teeth"), Map.entry("ox", "oxen"),
            Map.entry("criterion", "criteria"), Map.entry("phenomenon", "phenomena"), Map.entry("datum", "data"),
            Map.entry("medium", "media"), Map.entry("matrix", "matrices"), Map.entry("vertex", "vertices"),
            Map.entry("appendix", "appendices"), Map.entry("leaf", "leaves"), Map.entry("life", "lives"),
            Map.entry("knife", "knives"), Map.entry("wife", "wives"), Map.entry("half", "halves"),
            Map.entry("self", "selves"), Map.entry("shelf", "shelves"), Map.entry("thief", "thieves"),
            Map.entry("wolf", "wolves"), Map.entry("calf", "calves"), Map.entry("loaf", "loaves"),
            Map.entry("axis", "axes"), Map.entry("iris", "irises"), Map.entry("quiz", "quizzes"),
            Map.entry("potato", "potatoes"), Map.entry("tomato", "tomatoes"), Map.entry("hero", "heroes"),
            Map.entry("echo", "echoes"), Map.entry("veto", "vetoes"));

    /**
     * Words with no plural form (mass nouns), and words that are the same in both: a table of them keeps the word.
     * "data" is the case seen in Stripe (source_transaction_paper_check_data, not ..._datas).
     */
    private static final Set<String> UNCOUNTABLE = Set.of(
            "data", "metadata", "information", "info", "equipment", "news", "series", "species", "feedback",
            "software", "hardware", "firmware", "money", "advice", "evidence", "knowledge", "research", "traffic",
            "sheep", "fish", "deer", "aircraft", "staff", "personnel", "analytics", "statistics", "physics",
            "billing", "pricing", "shipping", "funding", "routing", "tracking", "logging", "messaging", "branding",
            "onboarding", "chassis", "tennis", "usage", "content", "access", "cash", "music", "weather", "audio");

    /** Singular words ending in -as, -us, -is that would otherwise look plural or take the wrong ending. */
    private static final Set<String> SINGULAR_AS = Set.of("alias", "canvas", "atlas", "bias", "gas", "pancreas", "christmas");
    private static final Set<String> PLURAL_US = Set.of("menus", "gurus", "emus", "haikus", "tofus", "tutus", "sudokus");

    /**
     * Adjectives that some APIs put after the noun to name a variant (GitHub's gist-full, gist-simple,
     * repository-full): the noun before them takes the plural, {@code gist_full -> gists_full}.
     */
    private static final Set<String> TRAILING_ADJECTIVES = Set.of(
            "full", "simple", "minimal", "basic", "detailed", "extended", "expanded", "lite");

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

    /**
     * The table name of a component schema: snake_case, last word pluralised; when the last word is a variant
     * adjective (gist_full), the word before it is pluralised instead (gists_full).
     */
    public static String tableName(String schemaName) {
        String snake = snakeCase(schemaName);
        String[] words = snake.split("_", -1);
        int noun = words.length - 1;
        if (words.length > 1 && TRAILING_ADJECTIVES.contains(words[noun]) && !words[noun - 1].isEmpty()
                && !TRAILING_ADJECTIVES.contains(words[noun - 1])) {
            noun--;
        }
        words[noun] = pluralize(words[noun]);
        return String.join("_", words);
    }

    public static String columnName(String propertyName) {
        return snakeCase(propertyName);
    }

    /**
     * True when the schema's name is singular, i.e. {@link #tableName} had to pluralise it ({@code File -> files});
     * false when it already is plural or uncountable ({@code Files}, {@code metadata}).
     */
    public static boolean isSingular(String schemaName) {
        return !snakeCase(schemaName).equals(tableName(schemaName));
    }

    /**
     * The table name of a schema that lost its name to another one: its own table name with {@code _} and the first
     * 8 hex digits of the SHA-256 of the schema's name, so it depends on that name only and stays the same from one
     * spec version to the next ({@code Files -> files_<8 hex>}). Before shortening, like {@link #tableName}.
     */
    public static String suffixedTableName(String schemaName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(schemaName.getBytes(StandardCharsets.UTF_8));
            return tableName(schemaName) + "_" + HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The name of a table's primary key constraint, given explicitly so that a long table name gives a deterministic,
     * non-truncated name. Indexes share the schema's namespace with it, which is why the index advisor needs it too.
     */
    /** The name the table's key constraint gets: the operation that creates the table decides it. */
    public static String primaryKeyName(String table) {
        return dev.shadowshift.operations.CreateTable.primaryKeyName(table);
    }

    /**
     * English plural of one lower-case word: irregulars and uncountables from the lists above, then by rule:
     * customer -> customers, -y after a consonant -> -ies, -s/-ss/-sh/-ch/-x/-z -> -es, Greek -sis -> -ses,
     * -us -> -uses, and words that already end in a plural -s (items, details, apis, quotas) stay as they are.
     */
    public static String pluralize(String word) {
        if (word.isEmpty() || UNCOUNTABLE.contains(word) || !Character.isLetter(word.charAt(word.length() - 1))) {
            return word; // v2010 stays v2010: a version or code is not a noun
        }
        String irregular = IRREGULAR.get(word);
        if (irregular != null) {
            return irregular;
        }
        if (IRREGULAR.containsValue(word)) {
            return word;
        }
        if (word.endsWith("sis")) {
            return word.substring(0, word.length() - 2) + "es"; // analysis -> analyses, basis -> bases
        }
        if (word.endsWith("us")) {
            return PLURAL_US.contains(word) ? word : word + "es"; // status -> statuses, but menus stays
        }
        if (word.endsWith("as")) {
            return SINGULAR_AS.contains(word) ? word + "es" : word; // alias -> aliases, but quotas stays
        }
        if (word.endsWith("ss") || word.endsWith("sh") || word.endsWith("ch") || word.endsWith("x") || word.endsWith("z")) {
            return word + (word.endsWith("z") && !word.endsWith("zz") && word.length() > 1
                    && isVowel(word.charAt(word.length() - 2)) ? "zes" : "es"); // quiz -> quizzes, box -> boxes
        }
        if (word.endsWith("s")) {
            return word; // already plural: customers, items, details, apis, emojis
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
