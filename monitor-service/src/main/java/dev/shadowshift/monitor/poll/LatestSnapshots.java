package dev.shadowshift.monitor.poll;

import dev.shadowshift.monitor.snapshot.PollResult;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The last poll result per target, for the dashboard. Memory only: the next poll refills it after a restart. */
@ApplicationScoped
public class LatestSnapshots {

    private final Map<String, PollResult> latest = new ConcurrentHashMap<>();

    public void put(PollResult result) {
        latest.put(result.target(), result);
    }

    public Optional<PollResult> of(String target) {
        return Optional.ofNullable(latest.get(target));
    }

    public Map<String, PollResult> all() {
        return new TreeMap<>(latest);
    }
}
