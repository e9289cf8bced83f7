package dev.shadowshift.cli;

/** Input the CLI cannot work with: bad flags, an unreadable spec, an unreachable database. Exit code 2. */
public class CliException extends RuntimeException {

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
