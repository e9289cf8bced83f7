package dev.shadowshift.schema.api;

/** The body of every error answer: a short stable code and a sentence naming the problem and where it is. */
public record ErrorBody(String error, String detail) {
}
