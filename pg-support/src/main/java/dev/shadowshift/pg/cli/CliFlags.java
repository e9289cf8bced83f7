package dev.shadowshift.pg.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The flags of Shadowshift's command lines: {@code --name=value} or {@code --name value} for valued flags,
 * {@code --name} (or {@code --name=true|false}) for switches. Anything else is an error naming the flag, so a typo
 * never silently changes what a migration does.
 */
public final class CliFlags {

    private CliFlags() {
    }

    /** @throws IllegalArgumentException naming the bad argument */
    public static Map<String, String> parse(String[] args, int from, Set<String> valued, Set<String> switches) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'; flags look like --name=value");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (switches.contains(name)) {
                if (value != null && !value.equals("true") && !value.equals("false")) {
                    throw new IllegalArgumentException("--" + name + " takes no value (or true/false), not '" + value + "'");
                }
                flags.put(name, value == null ? "true" : value);
                continue;
            }
            if (!valued.contains(name)) {
                throw new IllegalArgumentException("unknown flag --" + name + "; known: " + valued.stream().sorted().map(f -> "--" + f).toList()
                        + " and " + switches.stream().sorted().map(f -> "--" + f).toList());
            }
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            if (flags.put(name, value) != null) {
                throw new IllegalArgumentException("--" + name + " is given twice");
            }
        }
        return flags;
    }
}
