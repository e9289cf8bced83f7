package dev.shadowshift.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The metric names the services serve at /q/metrics, as Prometheus sees them: Shadowshift's own Micrometer meters,
 * read from the services' code and named the way Micrometer's Prometheus registry names them, and the frameworks'
 * (framework-metrics.txt, from a scrape of a running system).
 */
final class ServedMetrics {

    private static final Pattern BUILDER = Pattern.compile(
            "\\b(Counter|FunctionCounter|Timer|LongTaskTimer|Gauge|DistributionSummary)\\.builder\\(\\s*\"([^\"]+)\"");
    /** monitor-service's gauge helper: set("pg_up", "description", tags, value) */
    private static final Pattern GAUGE_HELPER = Pattern.compile("\\bset\\(\\s*\"([a-z][a-z0-9_]*)\"\\s*,\\s*\"");
    private static final Pattern BASE_UNIT = Pattern.compile("\\.baseUnit\\(\\s*\"([a-z]+)\"");

    private ServedMetrics() {
    }

    /** Shadowshift's own meters, from every service module's main code that uses Micrometer. */
    static Set<String> fromCode() {
        Set<String> names = new TreeSet<>();
        for (String service : Repo.SERVICES) {
            try (Stream<Path> files = Files.walk(Repo.path(service + "/src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String code = Files.readString(f, StandardCharsets.UTF_8);
                    if (code.contains("io.micrometer")) {
                        names.addAll(meters(code));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return names;
    }

    static Set<String> meters(String code) {
        Set<String> names = new TreeSet<>();
        Matcher m = BUILDER.matcher(code);
        while (m.find()) {
            String base = m.group(2).replace('.', '_');
            int end = code.indexOf(';', m.end());
            Matcher unit = BASE_UNIT.matcher(code.substring(m.end(), end < 0 ? code.length() : end));
            String suffix = unit.find() ? "_" + unit.group(1) : "";
            switch (m.group(1)) {
                case "Counter", "FunctionCounter" -> names.add(base.endsWith("_total") ? base : base + "_total");
                case "Timer", "LongTaskTimer" -> names.addAll(List.of(base + "_seconds_count", base + "_seconds_sum",
                        base + "_seconds_max"));
                case "DistributionSummary" -> names.addAll(List.of(base + suffix + "_count", base + suffix + "_sum",
                        base + suffix + "_max"));
                default -> names.add(base + suffix);
            }
        }
        Matcher g = GAUGE_HELPER.matcher(code);
        while (g.find()) {
            names.add(g.group(1));
        }
        return names;
    }

    static Set<String> fromFrameworks() {
        try (InputStream in = ServedMetrics.class.getResourceAsStream("/framework-metrics.txt")) {
            Set<String> names = new TreeSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    names.add(line.trim());
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Set<String> all() {
        Set<String> names = new TreeSet<>(fromCode());
        names.addAll(fromFrameworks());
        return names;
    }
}
