package dev.shadowshift.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** Kafka and PostgreSQL in containers, for machines with a Docker engine. */
final class ContainerServers {

    private ContainerServers() {
    }

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    static KafkaBroker kafka() {
        KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.1")
                .withEnv("KAFKA_MESSAGE_MAX_BYTES", "16777216");
        kafka.start();
        return new KafkaBroker() {
            @Override
            public String bootstrapServers() {
                return kafka.getBootstrapServers();
            }

            @Override
            public String description() {
                return "Kafka container apache/kafka:4.1.1 at " + bootstrapServers();
            }

            @Override
            public void close() {
                kafka.stop();
            }
        };
    }

    static PostgresServer postgres() {
        PostgreSQLContainer pg = new PostgreSQLContainer("postgres:15");
        pg.withCommand("postgres", "-c", "shared_preload_libraries=pg_stat_statements", "-c", "max_connections=200", "-c", "wal_level=logical");
        pg.start();
        return new PostgresServer() {
            @Override
            public String host() {
                return pg.getHost();
            }

            @Override
            public int port() {
                return pg.getMappedPort(5432);
            }

            @Override
            public String user() {
                return pg.getUsername();
            }

            @Override
            public String password() {
                return pg.getPassword();
            }

            @Override
            public String description() {
                return "PostgreSQL container postgres:15 at " + host() + ":" + port();
            }

            @Override
            public void close() {
                pg.stop();
            }
        };
    }
}
