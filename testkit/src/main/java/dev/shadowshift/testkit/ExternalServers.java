package dev.shadowshift.testkit;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Servers someone else runs, named by address. We never stop them. */
final class ExternalServers {

    private ExternalServers() {
    }

    static KafkaBroker kafka(String bootstrap, String origin) {
        return new KafkaBroker() {
            @Override
            public String bootstrapServers() {
                return bootstrap;
            }

            @Override
            public String description() {
                return "Kafka broker at " + bootstrap + origin;
            }

            @Override
            public void close() {
            }
        };
    }

    /** @param url {@code postgresql://user[:password]@host:port} or the same with a {@code jdbc:} prefix */
    static PostgresServer postgres(String url, String origin) {
        URI uri = URI.create(url.startsWith("jdbc:") ? url.substring(5) : url);
        String userInfo = uri.getRawUserInfo() == null ? "postgres" : uri.getRawUserInfo();
        String[] parts = userInfo.split(":", 2);
        String user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
        String password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
        String host = uri.getHost();
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        return new PostgresServer() {
            @Override
            public String host() {
                return host;
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public String user() {
                return user;
            }

            @Override
            public String password() {
                return password;
            }

            @Override
            public String description() {
                return "PostgreSQL at " + host + ":" + port + " as " + user + origin;
            }

            @Override
            public void close() {
            }
        };
    }
}
