package dev.shadowshift.monitor.rules;

/** The severities the alert contract allows; the monitor's rules use WARNING and CRITICAL. */
public enum Severity {
    INFO, WARNING, CRITICAL
}
