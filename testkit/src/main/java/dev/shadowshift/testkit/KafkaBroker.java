package dev.shadowshift.testkit;

/** A running Kafka broker, whoever started it. */
public interface KafkaBroker extends AutoCloseable {

    String bootstrapServers();

    /** For the log: which kind of broker this is and where. */
    String description();

    @Override
    void close();
}
