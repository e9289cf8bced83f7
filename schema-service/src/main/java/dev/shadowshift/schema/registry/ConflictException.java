package dev.shadowshift.schema.registry;

/** The submission contradicts what the registry already holds (REST 409). */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}
