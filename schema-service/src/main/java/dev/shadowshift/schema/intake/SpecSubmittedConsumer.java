package dev.shadowshift.schema.intake;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.SpecSubmitted;
import dev.shadowshift.schema.registry.Registration;
import dev.shadowshift.schema.registry.SpecRegistrar;
import dev.shadowshift.schema.registry.Submission;
import dev.shadowshift.schema.registry.UnavailableException;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;

/**
 * Upstream systems publish specs on spec-submitted. Same flow as REST; anything that cannot be registered throws,
 * and the channel's dead-letter strategy moves the record to spec-submitted.dlq with the message as the reason.
 * A target database or broker that is briefly away is waited for first: a spec is only dead-lettered for what is
 * wrong with it, or when the outage outlasts the retries.
 */
@ApplicationScoped
public class SpecSubmittedConsumer {

    private static final Logger LOG = Logger.getLogger(SpecSubmittedConsumer.class);
    /** 1 + 2 + 4 + 8 s of waiting, well inside the connector's 60 s limit for an unprocessed record. */
    private static final int OUTAGE_ATTEMPTS = 5;

    private final SpecRegistrar registrar;

    public SpecSubmittedConsumer(SpecRegistrar registrar) {
        this.registrar = registrar;
    }

    @Incoming(Topics.SPEC_SUBMITTED)
    @Blocking(ordered = true)
    public void onSpecSubmitted(String value) {
        CloudEvent event = EventSchemas.parse(value, EventType.SPEC_SUBMITTED);
        SpecSubmitted submitted = event.dataAs(SpecSubmitted.class);
        try {
            Registration r = registerRetryingOutages(new Submission(submitted.subject(),
                    submitted.spec().getBytes(StandardCharsets.UTF_8), submitted.target(), submitted.schema(),
                    submitted.objects(), event.id(), false, Boolean.TRUE.equals(submitted.strictNames())));
            LOG.infof("spec-submitted %s: %s v%d%s", event.id(), submitted.subject(), r.version().version(),
                    r.created() ? " registered" : " unchanged");
        } catch (RuntimeException e) {
            LOG.warnf("spec-submitted %s for '%s' rejected: %s", event.id(), submitted.subject(), e);
            throw e;
        }
    }

    private Registration registerRetryingOutages(Submission submission) {
        long pauseMs = 1000;
        for (int attempt = 1; ; attempt++) {
            try {
                return registrar.register(submission);
            } catch (UnavailableException e) {
                if (attempt == OUTAGE_ATTEMPTS) {
                    throw e;
                }
                LOG.warnf("spec-submitted for '%s': %s; retrying in %d ms (attempt %d of %d)", submission.subject(),
                        e.getMessage(), pauseMs, attempt, OUTAGE_ATTEMPTS);
                try {
                    Thread.sleep(pauseMs + java.util.concurrent.ThreadLocalRandom.current().nextLong(pauseMs / 2));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pauseMs *= 2;
            }
        }
    }
}
