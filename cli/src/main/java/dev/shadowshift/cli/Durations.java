package dev.shadowshift.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** 2s, 500ms, 5m or ISO-8601 (P1D), as application.properties spells durations. */
final class Durations implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        String v = value.trim();
        try {
            Duration d = v.startsWith("P") || v.startsWith("p") ? Duration.parse(v)
                    : v.toLowerCase(Locale.ROOT).endsWith("ms") ? Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)))
                    : Duration.parse("PT" + v.toUpperCase(Locale.ROOT));
            if (d.isNegative() || d.isZero()) {
                throw new CommandLine.TypeConversionException("must be positive, not '" + value + "'");
            }
            return d;
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new CommandLine.TypeConversionException("must be a duration like 2s, 500ms or P1D, not '" + value + "'");
        }
    }
}
