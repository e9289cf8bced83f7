package dev.shadowshift.contracts;

/** The broker did not take an event in time, or refused it. Nothing may be recorded as published. */
public class PublishFailedException extends RuntimeException {
    public PublishFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
