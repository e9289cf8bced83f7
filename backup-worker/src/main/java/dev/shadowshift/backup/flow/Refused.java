package dev.shadowshift.backup.flow;

/** A request the flow will not carry out, with the HTTP status that says why (400, 404, 409, 503). */
public class Refused extends Exception {

    private final int status;

    public Refused(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static Refused badRequest(String message) {
        return new Refused(400, message);
    }

    public static Refused notFound(String backupId) {
        return new Refused(404, "no backup with id '" + backupId + "'");
    }

    public static Refused conflict(String message) {
        return new Refused(409, message);
    }
}
