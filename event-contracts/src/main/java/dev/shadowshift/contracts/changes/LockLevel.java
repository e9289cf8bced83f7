package dev.shadowshift.contracts.changes;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;

/** The strongest PostgreSQL table lock a statement takes, spelled as the documentation spells it. */
public enum LockLevel {
    NONE("NONE"),
    ACCESS_SHARE("ACCESS SHARE"),
    SHARE_UPDATE_EXCLUSIVE("SHARE UPDATE EXCLUSIVE"),
    SHARE("SHARE"),
    SHARE_ROW_EXCLUSIVE("SHARE ROW EXCLUSIVE"),
    EXCLUSIVE("EXCLUSIVE"),
    ACCESS_EXCLUSIVE("ACCESS EXCLUSIVE");

    private final String label;

    LockLevel(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }

    @JsonCreator
    public static LockLevel of(String label) {
        return Arrays.stream(values()).filter(l -> l.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a lock level: " + label));
    }

    @Override
    public String toString() {
        return label;
    }
}
