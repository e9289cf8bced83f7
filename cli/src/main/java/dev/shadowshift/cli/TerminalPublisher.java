package dev.shadowshift.cli;

import dev.shadowshift.contracts.events.MigrationPlanned;
import dev.shadowshift.contracts.events.MigrationProgress;
import dev.shadowshift.migration.support.Announcements;
import dev.shadowshift.pg.cli.ProgressBar;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Where the engine's events go when it runs inside {@code ./shadowshift migrate}: to the user's terminal instead of
 * Kafka. Step counts and backfill rows drive a progress bar; phase changes and outcomes get a line of their own.
 */
final class TerminalPublisher implements Announcements {

    private final PrintStream err;
    private final ProgressBar bar;
    private String lastLine;
    /** The row total of the backfill bar on screen, to complete it when the backfill reports it is done. */
    private Long rowsTotal;

    TerminalPublisher(PrintStream err, boolean terminal) {
        this.err = err;
        this.bar = new ProgressBar(err, 1, terminal);
    }

    @Override
    public void planned(MigrationPlanned plan) {
        bar.line("shadowshift | plan " + plan.planId() + ": " + plan.steps().size() + " steps, strategy " + plan.strategy()
                + ", risk " + plan.risk() + ", ~" + plan.estimatedRows() + " rows, status " + plan.status()
                + (plan.requiresBackup() ? ", backup of " + plan.backupTables() + " first" : "")
                + (plan.pending().isEmpty() ? "" : ", " + plan.pending().size() + " changes not planned"));
    }

    @Override
    public void progress(MigrationProgress p) {
        if (p.rowsCopied() != null && p.rowsTotal() != null) {
            rowsTotal = p.rowsTotal();
            bar.show(p.rowsCopied(), p.rowsTotal(), "rows backfilled" + rate(p));
            return;
        }
        if (rowsTotal != null && p.message().startsWith("backfill done")) {
            bar.show(rowsTotal, rowsTotal, "rows backfilled");
            rowsTotal = null;
        }
        boolean stepProgress = "RUNNING".equals(p.status()) && "IN_PLACE".equals(p.phase()) && p.message().startsWith("applied ");
        if (stepProgress) {
            bar.show(p.stepsDone(), p.stepsTotal(), "steps");
            return;
        }
        String line = "shadowshift | " + p.status() + " " + p.phase() + ": " + p.message();
        if (!line.equals(lastLine)) {
            lastLine = line;
            bar.line(line);
        }
    }

    void finish() {
        bar.finish();
    }

    private static String rate(MigrationProgress p) {
        if (p.rowsPerSecond() == null) {
            return "";
        }
        return String.format(Locale.ROOT, ", %.0f rows/s%s", p.rowsPerSecond(), p.etaSeconds() == null ? "" : ", eta " + p.etaSeconds() + "s");
    }

}
