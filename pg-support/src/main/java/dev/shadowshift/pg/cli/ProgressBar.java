package dev.shadowshift.pg.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar redrawn in place on a terminal; on anything else (a pipe, a CI log, a test) one plain line
 * per tenth of the work, so that logs stay readable.
 */
public final class ProgressBar {

    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean terminal;
    private long total;
    private long lastTenth = -1;
    private boolean drawn;

    public ProgressBar(PrintStream out, long total, boolean terminal) {
        this.out = out;
        this.total = Math.max(total, 1);
        this.terminal = terminal;
    }

    public void show(long done, String what) {
        long filled = Math.min(WIDTH, Math.max(0, done * WIDTH / total));
        String bar = "[" + "#".repeat((int) filled) + ".".repeat(WIDTH - (int) filled) + "] " + done + "/" + total + " ";
        if (terminal) {
            String label = what.length() > 48 ? what.substring(0, 45) + "..." : what;
            out.print("\r" + bar + label + "\u001b[K");
            out.flush();
            drawn = true;
            return;
        }
        long tenth = done * 10 / total;
        if (tenth != lastTenth || done == total) {
            lastTenth = tenth;
            out.println(bar + what);
        }
    }

    /** The same bar over a different amount of work (e.g. rows instead of steps): the next show starts a new line. */
    public void show(long done, long newTotal, String what) {
        long t = Math.max(newTotal, 1);
        if (t != total) {
            finish();
            total = t;
            lastTenth = -1;
        }
        show(done, what);
    }

    /** A line of its own, above the bar. */
    public void line(String text) {
        finish();
        out.println(text);
    }

    public void finish() {
        if (terminal && drawn) {
            out.println();
            drawn = false;
        }
    }
}
