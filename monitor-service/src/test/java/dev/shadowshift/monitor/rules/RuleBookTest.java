package dev.shadowshift.monitor.rules;

import dev.shadowshift.monitor.config.MonitorConfig;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuleBookTest {

    private static RuleBook from(Map<String, String> env, Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(MonitorConfig.class)
                .withConverter(Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new EnvConfigSource(env, 300))
                .withSources(new PropertiesConfigSource(properties, "test", 250))
                .build();
        return RuleBook.from(config.getConfigMapping(MonitorConfig.class).rules());
    }

    @Test
    void everyKeyOfEveryRuleCanBeSetFromTheEnvironment() {
        Map<String, String> env = new HashMap<>();
        for (Rule r : Rule.values()) {
            String prefix = "SHADOWSHIFT_MONITOR_RULES_" + r.name() + "_";
            env.put(prefix + "ENABLED", "false");
            env.put(prefix + "FOR", "7s");
        }
        env.put("SHADOWSHIFT_MONITOR_RULES_IDLE_IN_TRANSACTION_WARNING", "5s");
        env.put("SHADOWSHIFT_MONITOR_RULES_IDLE_IN_TRANSACTION_CRITICAL", "1m");
        env.put("SHADOWSHIFT_MONITOR_RULES_DEAD_TUPLE_RATIO_MIN_DEAD_TUPLES", "42");
        env.put("SHADOWSHIFT_MONITOR_RULES_DATABASE_SIZE_GROWTH_WINDOW", "2h");
        env.put("SHADOWSHIFT_MONITOR_RULES_UNUSED_INDEX_MIN_SIZE", "1G");
        RuleBook book = from(env, Map.of());
        for (Rule r : Rule.values()) {
            assertFalse(book.enabled(r), r + " read ENABLED from the environment");
            assertEquals(Duration.ofSeconds(7), book.of(r).forPeriod(), r + " read FOR from the environment");
        }
        assertEquals(5.0, book.of(Rule.IDLE_IN_TRANSACTION).warning());
        assertEquals(60.0, book.of(Rule.IDLE_IN_TRANSACTION).critical());
        assertEquals(42, book.of(Rule.DEAD_TUPLE_RATIO).extra("min-dead-tuples"));
        assertEquals(7200, book.of(Rule.DATABASE_SIZE_GROWTH).extra("window"));
        assertEquals(1L << 30, book.of(Rule.UNUSED_INDEX).extra("min-size"));
    }

    @Test
    void propertiesUseTheAlertnameAsKeyAndUnsetKeysTakeTheDefaults() {
        RuleBook book = from(Map.of(), Map.of(
                "shadowshift.monitor.rules.connection_saturation.warning", "70%",
                "shadowshift.monitor.rules.table_not_vacuumed.critical", "14d",
                "shadowshift.monitor.rules.temp_files.warning", "512M"));
        assertEquals(0.7, book.of(Rule.CONNECTION_SATURATION).warning(), 1e-9);
        assertEquals(0.95, book.of(Rule.CONNECTION_SATURATION).critical(), 1e-9);
        assertEquals(Duration.ofMinutes(1), book.of(Rule.CONNECTION_SATURATION).forPeriod());
        assertEquals(14 * 86400.0, book.of(Rule.TABLE_NOT_VACUUMED).critical());
        assertEquals(512.0 * 1024 * 1024, book.of(Rule.TEMP_FILES).warning());
        assertNull(book.of(Rule.INVALID_INDEX).warning());
    }

    @Test
    void theDefaultsMatchTheCatalogue() {
        RuleBook book = RuleBook.defaults();
        assertEquals(300.0, book.of(Rule.LONG_RUNNING_QUERY).warning());
        assertEquals(0.95, book.of(Rule.CACHE_HIT_RATIO).warning(), 1e-9);
        assertEquals(0.8, book.of(Rule.CACHE_HIT_RATIO).critical(), 1e-9);
        assertEquals(0.0, book.of(Rule.DEADLOCKS).warning());
        assertEquals(1_000_000_000.0, book.of(Rule.XID_WRAPAROUND).warning());
        for (Rule r : Rule.values()) {
            assertTrue(book.enabled(r), r.alertname());
        }
    }

    @Test
    void aBadValueNamesThePropertyAndWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> from(Map.of("SHADOWSHIFT_MONITOR_RULES_IDLE_IN_TRANSACTION_WARNING", "five"), Map.of()));
        assertTrue(e.getMessage().contains("shadowshift.monitor.rules.idle_in_transaction.warning")
                && e.getMessage().contains("a duration"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> RuleBook.with(Map.of("connection_saturation.warning", "1.5")));
        assertTrue(e.getMessage().contains("a fraction"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> RuleBook.with(Map.of("connection_saturation.warning", "0.99")));
        assertTrue(e.getMessage().contains("must be below") && e.getMessage().contains("critical"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> RuleBook.with(Map.of("cache_hit_ratio.critical", "0.99")));
        assertTrue(e.getMessage().contains("must be above"), "lower is worse for the cache: " + e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> RuleBook.with(Map.of("invalid_index.warning", "1")));
        assertTrue(e.getMessage().contains("has no thresholds"), e.getMessage());
    }

    @Test
    void unitsReadAndPrintAsAPersonWritesThem() {
        assertEquals(0.2, Unit.DURATION.parse("200ms"), 1e-9);
        assertEquals(604800, Unit.DURATION.parse("7d"));
        assertEquals(0.8, Unit.FRACTION.parse("80%"), 1e-9);
        assertEquals(1_000_000, Unit.COUNT.parse("1_000_000"));
        assertEquals("7 min 3 s", Unit.DURATION.format(423));
        assertEquals("2 d 1 h", Unit.DURATION.format(2 * 86400 + 3600));
        assertEquals("83%", Unit.FRACTION.format(0.83));
        assertEquals("1.5 GiB", Unit.BYTES.format(1.5 * (1L << 30)));
        assertEquals("1,204", Unit.COUNT.format(1204));
    }
}
