package dev.shadowshift.localstack;

import dev.shadowshift.testkit.PostgresServer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The application side of {@code ./shadowshift up}'s example: it fills {@code shop.orders} and then keeps writing to
 * it, a few orders and status updates a second, as a small shop would, so that the shadow migration that follows
 * runs under real writes and the monitor has writers to watch. Its sessions call themselves
 * {@value #APPLICATION_NAME}.
 */
final class DemoWorkload implements AutoCloseable {

    static final String APPLICATION_NAME = "shop-demo-writer";

    private final PostgresServer pg;
    private final String database;
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean running;
    private volatile String lastFailure;
    private Thread writer;
    private long nextId;

    DemoWorkload(PostgresServer pg, String database) {
        this.pg = pg;
        this.database = database;
    }

    private Connection connect() throws SQLException {
        Connection c = pg.connect(database);
        try (Statement s = c.createStatement()) {
            s.execute("SET application_name = '" + APPLICATION_NAME + "'");
        }
        return c;
    }

    /** Adds {@code rows} orders in one statement (and ANALYZE, as a loaded table would have statistics). */
    void fill(int rows) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO shop.orders (id, object, customer, status, amount, currency) "
                    + "SELECT 'or_demo_' || g, 'order', 'cus_' || (g % 500), (ARRAY['pending', 'paid', 'shipped'])[1 + g % 3], "
                    + "100 + g % 9900, 'eur' FROM generate_series(1, " + rows + ") g");
            s.execute("ANALYZE shop.orders");
        }
        nextId = rows;
    }

    /** Starts writing: {@code perSecond} statements a second, alternating new orders and status changes. */
    void startWriter(int perSecond, Consumer<String> say) {
        running = true;
        long pauseNanos = 1_000_000_000L / Math.max(1, perSecond);
        writer = new Thread(() -> {
            Connection c = null;
            while (running) {
                long t0 = System.nanoTime();
                try {
                    if (c == null) {
                        c = connect();
                    }
                    write(c);
                    writes.incrementAndGet();
                } catch (SQLException e) {
                    // a write that fails is what a user of the shop would see: count it, say it once, go on
                    if (failures.incrementAndGet() == 1) {
                        say.accept("demo writer: a write failed (" + e.getMessage() + "); counting and going on");
                    }
                    lastFailure = e.getMessage();
                    close(c);
                    c = null;
                }
                long rest = pauseNanos - (System.nanoTime() - t0);
                if (rest > 0) {
                    try {
                        Thread.sleep(rest / 1_000_000, (int) (rest % 1_000_000));
                    } catch (InterruptedException e) {
                        break;
                    }
                }
            }
            close(c);
        }, APPLICATION_NAME);
        writer.setDaemon(true);
        writer.start();
    }

    private void write(Connection c) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (writes.get() % 2 == 0) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO shop.orders (id, object, customer, status, amount, "
                    + "currency) VALUES (?, 'order', ?, 'pending', ?, 'eur')")) {
                ps.setString(1, "or_demo_" + (++nextId));
                ps.setString(2, "cus_" + random.nextInt(500));
                ps.setInt(3, 100 + random.nextInt(9900));
                ps.executeUpdate();
            }
        } else {
            try (PreparedStatement ps = c.prepareStatement("UPDATE shop.orders SET status = 'paid' WHERE id = ?")) {
                ps.setString(1, "or_demo_" + (1 + random.nextLong(nextId)));
                ps.executeUpdate();
            }
        }
    }

    String summary() {
        return writes.get() + " writes, " + failures.get() + " failed" + (lastFailure == null ? "" : " (last: " + lastFailure + ")");
    }

    @Override
    public void close() {
        running = false;
        if (writer != null) {
            writer.interrupt();
            try {
                writer.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the server is going away
            }
        }
    }
}
