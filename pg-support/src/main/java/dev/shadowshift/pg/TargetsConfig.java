package dev.shadowshift.pg;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;

import java.util.Map;
import java.util.Optional;

/**
 * The databases Shadowshift manages ("targets"), by name: {@code shadowshift.targets.<name>.jdbc-url} and so on.
 * They are separate from each service's own state database.
 */
@ConfigMapping(prefix = "shadowshift.targets")
public interface TargetsConfig {

    String DEFAULT_TARGET = "main";

    @WithParentName
    Map<String, Target> all();

    interface Target {
        String jdbcUrl();

        Optional<String> username();

        /** Never logged; passed to pg_dump through PGPASSWORD, not the command line. */
        Optional<String> password();

        /**
         * When backup-worker backs up the whole target database on its own, as a Quartz cron expression with seconds
         * (the Quarkus scheduler's syntax, e.g. {@code 0 0 3 * * ?} for 03:00 every day); none by default.
         */
        Optional<String> backupCron();
    }
}
