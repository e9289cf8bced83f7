package dev.shadowshift.schema.spec;

/**
 * A submission that cannot be registered, for a reason its sender can fix: REST answers 400 with
 * {@code {error, detail}}, Kafka sends the record to the dead-letter topic with the same text as the reason.
 *
 * @see #error() a short stable code, e.g. {@code invalid_json}, {@code unresolved_ref}, {@code compile_error}
 */
public class RejectedSpecException extends RuntimeException {

    private final String error;

    public RejectedSpecException(String error, String detail) {
        super(detail);
        this.error = error;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return getMessage();
    }

    @Override
    public String toString() {
        return error + ": " + getMessage();
    }
}
