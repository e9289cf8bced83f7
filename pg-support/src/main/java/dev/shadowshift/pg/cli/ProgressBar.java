package dev.shadowshift.pg.cli;

import java.io.PrintStream;

/**
 * A one-line progress bar redrawn in place on a terminal; on anything else (a pipe, a CI log, a test) one plain line
 * per tenth of the work, so that logs stay readable.
 */
public final class ProgressBar {

    private static final int WIDTH = 30;
    private final PrintStream out;
    private final int total;
    private final boolean terminal;
    private int lastTenth = -1;

    public ProgressBar(PrintStream out, int total, boolean terminal) {
        this.out = out;
        this.total = Math.max(total, 1);
        this.terminal = terminal;
    }

    public void show(int done, String what) {
        int filled = done * WIDTH / total;
        if (terminal) {
            String label = what.length() > 40 ? what.substring(0, 37) + "..." : what;
            out.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + label + "\u001b[K");
            out.flush();
            return;
        }
        int tenth = done * 10 / total;
        if (tenth != lastTenth || done == total) {
            lastTenth = tenth;
            out.println("[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + what);
        }
    }

    public void finish() {
        if (terminal) {
            out.println();
        }
    }
}
