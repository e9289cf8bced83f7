package dev.shadowshift.monitor.rules;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySizeConverter;

import java.util.Locale;

/**
 * What a rule's thresholds measure, how they are written in configuration and how a value reads in an alert.
 * Values travel as doubles in the base unit: seconds, a fraction (0..1), a count, bytes.
 */
public enum Unit {
    /** {@code 5s}, {@code 200ms}, {@code 10m}, {@code 7d} (Quarkus durations; a bare number is seconds). */
    DURATION("a duration such as 5s, 200ms, 10m or 7d"),
    /** {@code 0.8} or {@code 80%}. */
    FRACTION("a fraction such as 0.8 (or 80%)"),
    /** A whole number. */
    COUNT("a whole number"),
    /** {@code 100M}, {@code 1G} (1024-based; a bare number is bytes). */
    BYTES("a size such as 512M or 1G"),
    /** The rule has no thresholds. */
    NONE("nothing: the rule has no thresholds");

    private final String expected;

    Unit(String expected) {
        this.expected = expected;
    }

    public String expected() {
        return expected;
    }

    /** @throws IllegalArgumentException saying what was expected */
    public double parse(String text) {
        String t = text.trim();
        try {
            return switch (this) {
                case DURATION -> DurationConverter.parseDuration(t).toNanos() / 1e9;
                case FRACTION -> {
                    double f = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100
                            : Double.parseDouble(t);
                    if (!(f >= 0 && f <= 1)) {
                        throw new IllegalArgumentException("out of range");
                    }
                    yield f;
                }
                case COUNT -> {
                    long n = Long.parseLong(t.replace("_", ""));
                    if (n < 0) {
                        throw new IllegalArgumentException("negative");
                    }
                    yield n;
                }
                case BYTES -> new MemorySizeConverter().convert(t).asLongValue();
                case NONE -> throw new IllegalArgumentException("no value allowed");
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not " + expected, e);
        }
    }

    /** For a person: {@code 7m 3s}, {@code 83%}, {@code 1,204}, {@code 1.5 GiB}. */
    public String format(double value) {
        return switch (this) {
            case DURATION -> duration(value);
            case FRACTION -> percent(value);
            case COUNT -> String.format(Locale.ROOT, "%,d", Math.round(value));
            case BYTES -> bytes(value);
            case NONE -> String.format(Locale.ROOT, "%s", value);
        };
    }

    static String percent(double fraction) {
        double p = fraction * 100;
        return (p != Math.rint(p) && Math.abs(p) < 10 ? String.format(Locale.ROOT, "%.1f", p)
                : String.format(Locale.ROOT, "%.0f", p)) + "%";
    }

    static String duration(double seconds) {
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.0f ms", seconds * 1000);
        }
        if (seconds < 60) {
            return seconds < 10 && seconds != Math.rint(seconds) ? String.format(Locale.ROOT, "%.1f s", seconds)
                    : String.format(Locale.ROOT, "%.0f s", Math.floor(seconds));
        }
        long s = (long) seconds;
        if (s < 3600) {
            return s % 60 == 0 ? s / 60 + " min" : s / 60 + " min " + s % 60 + " s";
        }
        if (s < 86400) {
            return s % 3600 / 60 == 0 ? s / 3600 + " h" : s / 3600 + " h " + s % 3600 / 60 + " min";
        }
        return s % 86400 / 3600 == 0 ? s / 86400 + " d" : s / 86400 + " d " + s % 86400 / 3600 + " h";
    }

    static String bytes(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int i = 0;
        while (Math.abs(v) >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? String.format(Locale.ROOT, "%.0f B", v) : String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
