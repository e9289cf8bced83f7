package dev.shadowshift.schema.intake;

import dev.shadowshift.contracts.CloudEvent;
import dev.shadowshift.contracts.EventSchemas;
import dev.shadowshift.contracts.EventType;
import dev.shadowshift.contracts.Topics;
import dev.shadowshift.contracts.events.SpecSubmitted;
import dev.shadowshift.schema.registry.Registration;
import dev.shadowshift.schema.registry.SpecRegistrar;
import dev.shadowshift.schema.registry.Submission;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;

/**
 * Upstream systems publish specs on spec-submitted. Same flow as REST; anything that cannot be registered throws,
 * and the channel's dead-letter strategy moves the record to spec-submitted.dlq with the message as the reason.
 */
@ApplicationScoped
public class SpecSubmittedConsumer {

    private static final Logger LOG = Logger.getLogger(SpecSubmittedConsumer.class);

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
            Registration r = registrar.register(new Submission(submitted.subject(), submitted.spec().getBytes(StandardCharsets.UTF_8),
                    submitted.target(), submitted.schema(), submitted.objects(), event.id()));
            LOG.infof("spec-submitted %s: %s v%d%s", event.id(), submitted.subject(), r.version().version(),
                    r.created() ? " registered" : " unchanged");
        } catch (RuntimeException e) {
            LOG.warnf("spec-submitted %s for '%s' rejected: %s", event.id(), submitted.subject(), e);
            throw e;
        }
    }
}
