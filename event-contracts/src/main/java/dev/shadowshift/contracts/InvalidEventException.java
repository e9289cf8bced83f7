package dev.shadowshift.contracts;

/** A record that no consumer can process as it stands: it goes to the dead-letter topic with this message as reason. */
public class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(message);
    }
}
