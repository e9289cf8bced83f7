package dev.shadowshift.schema.registry;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;

/**
 * A version is stored before its spec-changed is published, so a crash or a broker outage in between would leave a
 * registered version nobody hears about. This job finds such versions and publishes them, with the same event id
 * the first attempt used, so a consumer that did see the first attempt ignores the second.
 */
@ApplicationScoped
public class UnpublishedVersionsRepublisher {

    private static final Logger LOG = Logger.getLogger(UnpublishedVersionsRepublisher.class);
    /** Leave in-flight registrations alone: they are publishing right now. */
    private static final Duration SETTLE = Duration.ofSeconds(30);

    private final RegistryStore store;
    private final SpecChangedPublisher publisher;
    private final dev.shadowshift.schema.SchemaServiceConfig config;

    public UnpublishedVersionsRepublisher(RegistryStore store, SpecChangedPublisher publisher,
                                          dev.shadowshift.schema.SchemaServiceConfig config) {
        this.store = store;
        this.publisher = publisher;
        this.config = config;
    }

    @Scheduled(every = "${shadowshift.schema.republish-interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void republish() {
        try {
            for (StoredVersion v : store.unpublished(SETTLE)) {
                publisher.publish(v, config.publishTimeout());
                store.markPublished(v.subject(), v.version());
                LOG.infof("published the spec-changed of %s v%d, which had not reached Kafka when it was registered",
                        v.subject(), v.version());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("cannot republish unpublished versions yet: %s", e.getMessage());
        }
    }
}
