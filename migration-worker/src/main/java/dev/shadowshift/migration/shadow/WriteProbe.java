package dev.shadowshift.migration.shadow;

import dev.shadowshift.pg.PgEndpoint;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A canary write, timed end to end, every {@code interval} on its own session while a run copies: one autocommitted
 * {@code SELECT pg_current_xact_id()}, which takes a transaction id and so commits like a client's write (a commit
 * record, the WAL flush synchronous_commit asks for), plus the round trip, parse and the wait for a CPU. It measures
 * what the clients' short writes pay for the server being busy, concurrently with the batches (a look between two
 * batches would miss them), without a table of its own. pg_stat_statements' time per call would not: it is executor
 * time only, 0.01 ms for the benchmark's UPDATE whose clients wait 0.2 to 1 ms (benchmarks/migration).
 * {@link #take()} returns what was measured since the previous take.
 */
final class WriteProbe implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WriteProbe.class);

    /** Since the previous take: how many canaries completed, their mean and worst latency in ms. */
    record Window(long probes, double meanMs, double maxMs) {
    }

    private final Thread thread;
    private final Duration interval;
    private long probes;
    private double totalMs;
    private double maxMs;
    private volatile boolean running = true;
    private volatile String failure;

    private WriteProbe(PgEndpoint endpoint, Duration interval, String name) {
        this.interval = interval;
        this.thread = new Thread(() -> run(endpoint), "write-probe " + name);
        this.thread.setDaemon(true);
    }

    static WriteProbe start(PgEndpoint endpoint, Duration interval, String name) {
        WriteProbe p = new WriteProbe(endpoint, interval, name);
        p.thread.start();
        return p;
    }

    private void run(PgEndpoint endpoint) {
        try (Connection c = endpoint.connect(endpoint.database());
             PreparedStatement ps = c.prepareStatement("SELECT pg_current_xact_id()")) {
            c.setAutoCommit(true);
            while (running) {
                long t0 = System.nanoTime();
                ps.executeQuery().close();
                double ms = (System.nanoTime() - t0) / 1e6;
                synchronized (this) {
                    probes++;
                    totalMs += ms;
                    maxMs = Math.max(maxMs, ms);
                }
                Thread.sleep(interval.toMillis());
            }
        } catch (SQLException e) {
            failure = e.getMessage();
            LOG.warnf("the write probe stopped (%s): throttling goes on from the writes in flight only", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Why the probe stopped, or null while it runs. */
    String failure() {
        return failure;
    }

    synchronized Window take() {
        Window w = new Window(probes, probes == 0 ? 0 : totalMs / probes, maxMs);
        probes = 0;
        totalMs = 0;
        maxMs = 0;
        return w;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
