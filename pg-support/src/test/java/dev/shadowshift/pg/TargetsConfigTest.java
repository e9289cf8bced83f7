package dev.shadowshift.pg;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TargetsConfigTest {

    @Test
    void aTargetsBackupScheduleComesFromTheEnvironmentByItsConventionalName() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(TargetsConfig.class)
                .withSources(new PropertiesConfigSource(Map.of(
                        "shadowshift.targets.main.jdbc-url", "jdbc:postgresql://db/app",
                        "shadowshift.targets.reports.jdbc-url", "jdbc:postgresql://db/reports",
                        "shadowshift.targets.reports.backup-cron", "0 30 2 * * ?"), "test", 100))
                .withSources(new EnvConfigSource(Map.of("SHADOWSHIFT_TARGETS_MAIN_BACKUP_CRON", "0 0 3 * * ?"), 300))
                .build();

        TargetsConfig targets = config.getConfigMapping(TargetsConfig.class);
        assertEquals(Optional.of("0 0 3 * * ?"), targets.all().get("main").backupCron());
        assertEquals(Optional.of("0 30 2 * * ?"), targets.all().get("reports").backupCron());
    }
}
