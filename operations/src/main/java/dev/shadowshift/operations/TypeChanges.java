package dev.shadowshift.operations;

import dev.shadowshift.contracts.changes.Classification;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How risky it is to change a live column's type. Pure logic.
 *
 * <p>The primary classification is RELAXING when PostgreSQL can relabel the column without touching a row
 * (varchar(n) to text is binary-coercible), otherwise REWRITE: every row is copied. The other hazards say what
 * else can go wrong: DATA_DEPENDENT when some rows may not cast (text to bigint) or change on the way (json to jsonb
 * drops duplicate keys), DESTRUCTIVE when the cast loses information (numeric to bigint rounds), BACKWARD_INCOMPATIBLE
 * when clients see another type. A change that can refuse or alter values ({@link Assessment#narrowing}) waits for
 * an operator's approval.
 */
public final class TypeChanges {

    /**
     * @param hazards every hazard, the classification first
     * @param why     one sentence for the change's reason
     */
    public record Assessment(List<Classification> hazards, String why) {
        public Classification classification() {
            return hazards.get(0);
        }

        /** Some rows may not convert, or convert to another value: the plan waits for approval. */
        public boolean narrowing() {
            return hazards.contains(Classification.DATA_DEPENDENT) || hazards.contains(Classification.DESTRUCTIVE);
        }
    }

    private TypeChanges() {
    }

    public static Assessment assess(String liveType, String targetType) {
        String from = family(liveType);
        String to = family(targetType);
        List<Classification> hazards = new ArrayList<>();
        String why;
        if (from.equals("varchar") && to.equals("text")) {
            return new Assessment(List.of(Classification.RELAXING),
                    "varchar to text is binary-coercible: no row is rewritten and no value changes");
        }
        hazards.add(Classification.REWRITE);
        if (to.equals("text")) {
            if (from.equals("bpchar")) {
                hazards.add(Classification.DATA_DEPENDENT);
                why = "character(n) to text rewrites every row and drops trailing blanks";
            } else {
                hazards.add(Classification.BACKWARD_INCOMPATIBLE);
                why = "every value casts to text, but every row is rewritten and clients read text instead of " + liveType;
            }
        } else if (isWidening(from, to)) {
            why = liveType + " to " + targetType + " widens without losing values, but every row is rewritten";
        } else if (from.equals("json") && to.equals("jsonb")) {
            hazards.add(Classification.DATA_DEPENDENT);
            why = "json to jsonb rewrites every row, drops duplicate keys and whitespace, and fails on \\u0000 escapes";
        } else if ((from.equals("numeric") || from.equals("float")) && to.equals("bigint")) {
            hazards.add(Classification.DATA_DEPENDENT);
            hazards.add(Classification.DESTRUCTIVE);
            hazards.add(Classification.BACKWARD_INCOMPATIBLE);
            why = liveType + " to bigint rounds fractions away and fails on values out of range";
        } else {
            hazards.add(Classification.DATA_DEPENDENT);
            hazards.add(Classification.BACKWARD_INCOMPATIBLE);
            why = liveType + " to " + targetType + " holds only if every row casts"
                    + (from.equals("text") || from.equals("varchar") ? " (text that does not parse stops the copy)" : "")
                    + "; clients see another type";
        }
        return new Assessment(List.copyOf(hazards), why);
    }

    /** Lossless widenings that still rewrite: smaller integers to bigint, any number to numeric, varchar[] to text[]. */
    private static boolean isWidening(String from, String to) {
        return (from.equals("int") && (to.equals("bigint") || to.equals("numeric")))
                || (from.equals("bigint") && to.equals("numeric"))
                || (from.equals("float") && to.equals("numeric"))
                || (from.equals("varchar[]") && to.equals("text[]"));
    }

    /** A coarse family of a type as format_type prints it. */
    static String family(String type) {
        String t = type.toLowerCase(Locale.ROOT).trim();
        if (t.endsWith("[]")) {
            String element = family(t.substring(0, t.length() - 2));
            return element.equals("text") ? "text[]" : element.equals("varchar") ? "varchar[]" : "array";
        }
        if (t.startsWith("character varying") || t.startsWith("varchar")) {
            return "varchar";
        }
        if (t.startsWith("character") || t.startsWith("char") || t.equals("bpchar")) {
            return "bpchar";
        }
        if (t.equals("smallint") || t.equals("integer") || t.equals("int2") || t.equals("int4")) {
            return "int";
        }
        if (t.equals("bigint") || t.equals("int8")) {
            return "bigint";
        }
        if (t.equals("real") || t.equals("double precision") || t.startsWith("float")) {
            return "float";
        }
        if (t.startsWith("numeric") || t.startsWith("decimal")) {
            return "numeric";
        }
        return switch (t) {
            case "text", "name", "citext" -> "text";
            case "boolean", "bool" -> "boolean";
            case "json" -> "json";
            case "jsonb" -> "jsonb";
            default -> t;
        };
    }
}
