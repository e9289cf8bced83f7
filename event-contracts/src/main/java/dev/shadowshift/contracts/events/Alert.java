package dev.shadowshift.contracts.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/**
 * An alert notification, shaped like one alert of Alertmanager's webhook payload so that on-call tooling can take it
 * as it is, and so that the same object (less {@code status} and {@code fingerprint}) can be posted to Alertmanager's
 * {@code /api/v2/alerts}.
 *
 * @param status       {@code firing} or {@code resolved}
 * @param labels       identity only: {@code alertname}, {@code severity} ({@code critical}, {@code warning} or
 *                     {@code info}), {@code target}, {@code database}, and the object the alert is about when there
 *                     is one ({@code relation}, {@code queryid}, {@code slot}, {@code standby}, {@code plan_id})
 * @param annotations  {@code summary}, {@code description} (with the value and the threshold), {@code runbook_url},
 *                     and the measured {@code value} and {@code threshold} as plain numbers
 * @param startsAt     when the alert started firing (after its pending period)
 * @param endsAt       resolved: when it resolved; firing: until when it holds unless it is sent again (the sender
 *                     re-sends firing alerts well before that, so a consumer may forget a firing alert whose endsAt
 *                     has passed: its sender is gone)
 * @param generatorURL the monitor's dashboard view of the alert
 * @param fingerprint  Alertmanager's fingerprint of the labels (64-bit FNV-1a, 16 hex digits): the same alert has
 *                     the same fingerprint on every notification, here and in Alertmanager
 */
public record Alert(
        String status,
        Map<String, String> labels,
        Map<String, String> annotations,
        String startsAt,
        String endsAt,
        String generatorURL,
        String fingerprint) {

    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";

    public String alertname() {
        return labels.get("alertname");
    }

    public String severity() {
        return labels.get("severity");
    }

    public String target() {
        return labels.get("target");
    }

    public String summary() {
        return annotations == null ? null : annotations.get("summary");
    }

    /**
     * Alertmanager's fingerprint of a label set (prometheus/common model.LabelSet.Fingerprint): FNV-1a 64 over the
     * label names in byte order, each name and value followed by the byte 0xff; printed as 16 hex digits.
     */
    public static String fingerprintOf(Map<String, String> labels) {
        long hash = 0xcbf29ce484222325L;
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            hash = fnv(fnv(fnv(fnv(hash, e.getKey().getBytes(StandardCharsets.UTF_8)), SEPARATOR),
                    e.getValue().getBytes(StandardCharsets.UTF_8)), SEPARATOR);
        }
        return String.format("%016x", hash);
    }

    private static final byte[] SEPARATOR = {(byte) 0xff};

    private static long fnv(long hash, byte[] bytes) {
        for (byte b : bytes) {
            hash ^= (b & 0xff);
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** Firing now: status firing and the sender's validity not yet over at {@code now}. */
    public boolean firingAt(Instant now) {
        if (!FIRING.equals(status)) {
            return false;
        }
        try {
            return endsAt == null || Instant.parse(endsAt).isAfter(now);
        } catch (DateTimeParseException e) {
            return true;
        }
    }
}
