package dev.shadowshift.migration.shadow;

/**
 * Called at every named checkpoint right after it is recorded; tests throw from here to simulate a crash at
 * exactly that point. Production uses {@link #NONE}.
 */
@FunctionalInterface
public interface ShadowHooks {
    ShadowHooks NONE = checkpoint -> {
    };

    void reached(String checkpoint);
}
