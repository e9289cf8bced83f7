package dev.shadowshift.monitor.alerting;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A silence as Alertmanager has them: while it is active, alerts whose labels match every matcher are not sent.
 * They are still evaluated, stored and shown on the dashboard as silenced.
 */
public record Silence(UUID id, List<Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy, String comment) {

    /**
     * @param isRegex the value is a regular expression that must match the whole label value (as in Alertmanager)
     * @param isEqual false negates the match ({@code !=}, {@code !~})
     */
    public record Matcher(@JsonProperty("name") String name, @JsonProperty("value") String value,
                          @JsonProperty("isRegex") boolean isRegex, @JsonProperty("isEqual") boolean isEqual) {

        /** As Alertmanager reads them: isRegex defaults to false, isEqual to true. */
        @JsonCreator
        public static Matcher of(@JsonProperty("name") String name, @JsonProperty("value") String value,
                                 @JsonProperty("isRegex") Boolean isRegex, @JsonProperty("isEqual") Boolean isEqual) {
            return new Matcher(name, value, isRegex != null && isRegex, isEqual == null || isEqual);
        }

        public Matcher {
            if (name == null || !name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                throw new IllegalArgumentException("matcher name must be a label name, got " + name);
            }
            if (value == null) {
                throw new IllegalArgumentException("matcher " + name + " has no value");
            }
            if (isRegex) {
                try {
                    Pattern.compile(value);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("matcher " + name + " has an invalid regular expression: " + e.getDescription());
                }
            }
        }

        boolean matches(Map<String, String> labels) {
            String actual = labels.getOrDefault(name, "");
            boolean hit = isRegex ? Pattern.compile(value).matcher(actual).matches() : value.equals(actual);
            return hit == isEqual;
        }
    }

    public Silence {
        matchers = List.copyOf(matchers);
        if (matchers.isEmpty()) {
            throw new IllegalArgumentException("a silence needs at least one matcher");
        }
        if (!endsAt.isAfter(startsAt)) {
            throw new IllegalArgumentException("a silence must end after it starts");
        }
    }

    public boolean activeAt(Instant now) {
        return !now.isBefore(startsAt) && now.isBefore(endsAt);
    }

    public boolean silences(Map<String, String> labels, Instant now) {
        return activeAt(now) && matchers.stream().allMatch(m -> m.matches(labels));
    }
}
