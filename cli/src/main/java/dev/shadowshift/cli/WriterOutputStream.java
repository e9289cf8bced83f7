package dev.shadowshift.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** What reports to a PrintStream (the engine, a progress bar) writes to picocli's writer, a line at a time. */
final class WriterOutputStream extends java.io.OutputStream {
    private final PrintWriter writer;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    WriterOutputStream(PrintWriter writer) {
        this.writer = writer;
    }

    @Override
    public void write(int b) {
        line.write(b);
        if (b == '\n' || b == '\r') {
            flush();
        }
    }

    @Override
    public void flush() {
        writer.print(line.toString(StandardCharsets.UTF_8));
        writer.flush();
        line.reset();
    }
}
