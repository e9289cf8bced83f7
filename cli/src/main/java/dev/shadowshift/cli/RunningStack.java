package dev.shadowshift.cli;

import dev.shadowshift.localstack.LocalStackMain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What a running {@code ./shadowshift up} wrote about itself: where the broker, PostgreSQL and each service are. */
final class RunningStack {

    static final String PID = "SHADOWSHIFT_UP_PID";

    private RunningStack() {
    }

    /** Where the checkout is: the launcher says so; its .shadowshift folder holds logs and the running stack's facts. */
    static Path home() {
        return Path.of(System.getProperty("shadowshift.home", ".")).toAbsolutePath().normalize();
    }

    static Path file() {
        return home().resolve(".shadowshift").resolve(LocalStackMain.STATUS_FILE);
    }

    /**
     * @return the KEY=value facts, the pid first, or empty when nothing runs (no file, or what wrote it is gone)
     * @throws IOException the file is there but cannot be read
     */
    static Optional<Map<String, String>> facts() throws IOException {
        Map<String, String> facts = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file())) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    facts.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String pid = facts.get(PID);
        boolean alive;
        try {
            alive = pid != null && ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive).isPresent();
        } catch (NumberFormatException e) {
            alive = false;
        }
        return alive ? Optional.of(facts) : Optional.empty();
    }
}
