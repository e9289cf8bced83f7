package dev.shadowshift.schema.registry;

/** A dependency (target database, Kafka) did not answer; retrying the same submission later is safe (REST 503). */
public class UnavailableException extends RuntimeException {

    private final String error;

    public UnavailableException(String error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public String error() {
        return error;
    }
}
