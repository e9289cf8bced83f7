package dev.shadowshift.monitor.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Something a rule found wrong in one poll.
 *
 * @param identity    labels that say WHICH problem this is (e.g. schema and table); they make up the fingerprint
 * @param annotations labels that describe the problem right now (e.g. pid, query text, counts); they travel in the
 *                    alert's labels but never in the fingerprint, because they change from poll to poll
 * @param value       the measured value, in the unit of {@code threshold}
 * @param threshold   the threshold that the value crossed for this severity
 */
public record AlertCondition(
        String rule,
        String target,
        Severity severity,
        Map<String, String> identity,
        Map<String, String> annotations,
        String summary,
        double value,
        double threshold) {

    /** Hex characters of the sha256 kept as the fingerprint (the contract allows 16 to 64). */
    public static final int FINGERPRINT_HEX_CHARS = 32;

    public AlertCondition {
        identity = Map.copyOf(identity);
        annotations = Map.copyOf(annotations);
    }

    /** Stable across polls and restarts: sha256 of the rule, the target and the sorted identity labels. */
    public String fingerprint() {
        return fingerprint(rule, target, identity);
    }

    public static String fingerprint(String rule, String target, Map<String, String> identity) {
        StringBuilder canonical = new StringBuilder().append(rule).append('\n').append(target).append('\n');
        new TreeMap<>(identity).forEach((k, v) -> canonical.append(k).append('=').append(v).append('\n'));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, FINGERPRINT_HEX_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Identity and annotations together, sorted, as the alert event's labels. Identity wins on a name clash. */
    public Map<String, String> labels() {
        Map<String, String> all = new TreeMap<>(annotations);
        all.putAll(identity);
        return new LinkedHashMap<>(all);
    }
}
