package dev.shadowshift.migration.plan;

import dev.shadowshift.contracts.InvalidEventException;
import dev.shadowshift.pg.SqlIdentifiers;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Type names end up in SQL text (a type cannot be a bound parameter), so only the shapes format_type prints are
 * accepted: a (possibly qualified, possibly quoted) name, multi-word names such as {@code double precision}, a
 * typmod such as {@code (10,2)}, a time zone clause and array brackets. Nothing with a semicolon, a quote
 * character outside a quoted name, or a comment can pass.
 */
public final class TypeNames {

    private static final String NAME = "(?:\"[^\"\\x00]+\"|[A-Za-z_][A-Za-z0-9_$]*)";
    private static final Pattern TYPE = Pattern.compile(
            "^" + NAME + "(?:\\." + NAME + ")?(?: [A-Za-z_]+)*(?:\\(\\d+(?:,\\d+)?\\))?(?: with(?:out)? time zone)?(?:\\[\\])*$");

    private TypeNames() {
    }

    public static boolean valid(String type) {
        return type != null && type.length() <= 200 && TYPE.matcher(type).matches();
    }

    public static String require(String type, String what) {
        if (!valid(type)) {
            throw new InvalidEventException(what + ": '" + type + "' is not a type name this worker accepts");
        }
        return type;
    }

    /**
     * The differ describes a type change as {@code target state: "s"."t"."c" of type X (live: Y)}: reads X and Y
     * back, anchored on the exact quoted column so that no name can fake the structure.
     */
    public static Optional<String[]> fromDifferDescription(String schema, String table, String column, String description) {
        if (description == null) {
            return Optional.empty();
        }
        String prefix = "target state: " + SqlIdentifiers.qualified(schema, table) + "." + SqlIdentifiers.quote(column) + " of type ";
        if (!description.startsWith(prefix) || !description.endsWith(")")) {
            return Optional.empty();
        }
        String rest = description.substring(prefix.length(), description.length() - 1);
        int live = rest.lastIndexOf(" (live: ");
        if (live < 0) {
            return Optional.empty();
        }
        return Optional.of(new String[]{rest.substring(0, live), rest.substring(live + " (live: ".length())});
    }
}
