package dev.shadowshift.pg.dump;

/** A backup could not be made; the message is the reason an operator reads (pg_dump's own error line, the missing table...). */
public class DumpFailed extends Exception {
    public DumpFailed(String reason) {
        super(reason);
    }

    public DumpFailed(String reason, Throwable cause) {
        super(reason, cause);
    }

    /** What a failed pg_dump or pg_restore run means, with a full disk and a permission problem said in plain words. */
    public static String describe(String tool, ProcessRunner.Result run, java.time.Duration timeout, String storage) {
        if (run.timedOut()) {
            return tool + " did not finish within " + timeout;
        }
        String line = run.firstErrorLine();
        StorageException.Kind kind = StorageException.kindOf(null, run.stderr());
        String prefix = switch (kind) {
            case NO_SPACE -> "no space left on the backup storage " + storage + ": ";
            case PERMISSION -> "permission denied on the backup storage " + storage + ": ";
            default -> "";
        };
        return prefix + tool + " exited with " + run.exitCode() + ": " + line;
    }
}
