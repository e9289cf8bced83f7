package dev.shadowshift.monitor.rules;

import java.util.Locale;

/** Alertmanager's usual severities, in increasing order; the label value is the lower-case name. */
public enum Severity {
    INFO, WARNING, CRITICAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Severity ofLabel(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
