package dev.shadowshift.monitor.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * Every service is told where its state database is as one JDBC URL ({@code SHADOWSHIFT_STATE_DB_URL}, or a test's
 * {@code quarkus.datasource.jdbc.url}). Flyway takes it as it is; the reactive pool gets the same address without
 * the {@code jdbc:} prefix, unless {@code quarkus.datasource.reactive.url} is set on its own.
 */
@Priority(Priorities.APPLICATION + 100)
public class ReactiveUrlFromJdbc implements ConfigSourceInterceptor {

    static final String REACTIVE = "quarkus.datasource.reactive.url";
    static final String JDBC = "quarkus.datasource.jdbc.url";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!REACTIVE.equals(name) || value != null) {
            return value;
        }
        ConfigValue jdbc = context.proceed(JDBC);
        if (jdbc == null || jdbc.getValue() == null || !jdbc.getValue().startsWith("jdbc:")) {
            return null;
        }
        return jdbc.withName(REACTIVE).withValue(jdbc.getValue().substring("jdbc:".length()));
    }
}
