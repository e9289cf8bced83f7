package dev.shadowshift.monitor.events;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.InvalidEventException;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

final class EventTimes {

    private EventTimes() {
    }

    /** The CloudEvent's time: when the producer says it happened. */
    static Instant of(CloudEvent event) {
        try {
            return OffsetDateTime.parse(event.time()).toInstant();
        } catch (DateTimeParseException | NullPointerException e) {
            throw new InvalidEventException("event " + event.id() + " has no usable time: " + event.time());
        }
    }
}
