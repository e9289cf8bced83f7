package dev.shadowshift.schema.registry;

import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.pg.LiveSchema;
import dev.shadowshift.pg.ProcessedEvents;
import dev.shadowshift.pg.SqlIdentifiers;
import dev.shadowshift.pg.TargetsConfig;
import dev.shadowshift.schema.SchemaServiceConfig;
import dev.shadowshift.schema.compile.CompileException;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.SchemaCompiler;
import dev.shadowshift.schema.diff.SchemaDiffer;
import dev.shadowshift.schema.diff.TargetCatalog;
import dev.shadowshift.schema.spec.ParsedSpec;
import dev.shadowshift.schema.spec.RejectedSpecException;
import dev.shadowshift.schema.spec.SpecParser;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The registration flow, the same for REST and Kafka: check the request, parse, compile, diff against the live
 * target, store the version, publish spec-changed. Nothing is stored, published or run before the spec has parsed
 * and compiled, and this service never writes to a target database: it only reads its catalog.
 */
@ApplicationScoped
public class SpecRegistrar {

    public static final String CONSUMER = "schema-service";
    public static final Pattern SUBJECT = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$");
    private static final Logger LOG = Logger.getLogger(SpecRegistrar.class);

    private final RegistryStore store;
    private final TargetCatalog catalog;
    private final SpecChangedPublisher publisher;
    private final SchemaServiceConfig config;
    private final SpecParser parser;

    public SpecRegistrar(RegistryStore store, TargetCatalog catalog, SpecChangedPublisher publisher, SchemaServiceConfig config) {
        this.store = store;
        this.catalog = catalog;
        this.publisher = publisher;
        this.config = config;
        this.parser = new SpecParser(config.maxNestingDepth(), config.maxYamlAliases());
    }

    /** What a submission compiles to and how it differs from the target, without storing or publishing anything. */
    public record DryRun(String subject, String target, String schema, CompiledModel model, List<SchemaChange> changes,
                         List<String> warnings) {
    }

    public DryRun diff(Submission submission) {
        Request r = check(submission);
        Compiled compiled = compile(r, submission);
        CompiledModel previous;
        try (Connection c = store.begin()) {
            previous = store.latest(c, r.subject).filter(v -> v.target().equals(r.target) && v.schema().equals(r.schema))
                    .map(StoredVersion::model).orElse(null);
            c.rollback();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the registry: " + e.getMessage(), e);
        }
        List<SchemaChange> changes = SchemaDiffer.diff(r.schema, compiled.model, readLive(r), previous, submission.withIndexes());
        return new DryRun(r.subject, r.target, r.schema, compiled.model, changes, compiled.parsed.warnings());
    }

    public Registration register(Submission submission) {
        Request r = check(submission);
        Compiled compiled = compile(r, submission);
        String hash = sha256(submission.spec());

        StoredVersion toPublish;
        Registration outcome;
        try (Connection c = store.begin()) {
            try {
                if (submission.sourceEventId() != null && !ProcessedEvents.firstDelivery(c, CONSUMER, submission.sourceEventId())) {
                    // a redelivered spec-submitted: answer with what the first delivery stored, publish it again if
                    // Kafka never acknowledged it (same event id, so downstream sees one event)
                    Optional<StoredVersion> earlier = store.bySourceEvent(c, submission.sourceEventId());
                    c.commit();
                    LOG.infof("spec-submitted %s for %s redelivered; already handled", submission.sourceEventId(), r.subject);
                    return earlier.map(v -> finish(new Registration(false, v, v.published(), List.of()), !v.published()))
                            .orElseGet(() -> latestAsRepeat(r.subject));
                }
                String compatibility = store.lockSubject(c, r.subject, config.defaultCompatibility());
                Optional<StoredVersion> latest = store.latest(c, r.subject);
                if (latest.isPresent() && latest.get().contentHash().equals(hash)) {
                    StoredVersion same = latest.get();
                    if (!same.target().equals(r.target) || !same.schema().equals(r.schema) || !Objects.equals(same.objects(), r.objects)) {
                        throw new ConflictException("this content is already version " + same.version() + " of '" + r.subject
                                + "' for target '" + same.target() + "', schema '" + same.schema() + "', objects " + same.objects()
                                + "; the same content cannot be registered again with another target, schema or objects selection");
                    }
                    c.commit();
                    return finish(new Registration(false, same, same.published(), List.of()), !same.published());
                }
                Optional<Integer> older = store.versionWithHash(c, r.subject, hash);
                if (older.isPresent()) {
                    throw new ConflictException("this content is already version " + older.get() + " of '" + r.subject
                            + "' (latest is " + latest.map(StoredVersion::version).orElse(0) + "); going back to an earlier "
                            + "document is not supported yet: submit a changed document");
                }
                CompiledModel previous = latest.filter(v -> v.target().equals(r.target) && v.schema().equals(r.schema))
                        .map(StoredVersion::model).orElse(null);
                List<SchemaChange> changes = SchemaDiffer.diff(r.schema, compiled.model, readLive(r), previous, submission.withIndexes());
                int version = latest.map(v -> v.version() + 1).orElse(1);
                checkPublishable(r, version, hash, changes);
                StoredVersion stored = new StoredVersion(r.subject, version, latest.map(StoredVersion::version).orElse(null),
                        hash, compiled.parsed.format(), r.target, r.schema, r.objects, compatibility,
                        SpecChangedPublisher.eventId(r.subject, version, hash), submission.sourceEventId(), null, null,
                        compiled.model, changes);
                store.insert(c, stored, submission.spec());
                c.commit();
                toPublish = stored;
                outcome = new Registration(true, stored, false, compiled.parsed.warnings());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write the registry: " + e.getMessage(), e);
        }
        LOG.infof("registered %s v%d (%d tables, %d changes) for target %s schema %s", toPublish.subject(), toPublish.version(),
                toPublish.model().tables().size(), toPublish.changes().size(), toPublish.target(), toPublish.schema());
        toPublish.model().naming().forEach(n -> LOG.infof("%s v%d: %s", toPublish.subject(), toPublish.version(), n.line()));
        return finish(outcome, true);
    }

    /**
     * The spec-changed event this version would publish must pass its own schema, which refuses names no migration
     * should carry (quotes, semicolons, whitespace, comment markers): a spec that compiles to one is refused here, with
     * the schema's words, rather than dead-lettered by the worker later.
     */
    private static void checkPublishable(Request r, int version, String hash, List<SchemaChange> changes) {
        try {
            dev.shadowshift.contracts.EventSchemas.validateData(dev.shadowshift.contracts.EventType.SPEC_CHANGED,
                    dev.shadowshift.contracts.EventCodec.mapper().valueToTree(new dev.shadowshift.contracts.events.SpecChanged(
                            r.subject, version, null, hash, r.target, r.schema, "NONE", changes)));
        } catch (dev.shadowshift.contracts.InvalidEventException e) {
            throw new RejectedSpecException("unpublishable_change", "the changes this spec makes cannot be published: " + e.getMessage());
        }
    }

    private Registration latestAsRepeat(String subject) {
        try {
            return store.latest(subject).map(v -> new Registration(false, v, v.published(), List.of()))
                    .orElseThrow(() -> new IllegalStateException("redelivered event for '" + subject + "' but no version is stored"));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the registry: " + e.getMessage(), e);
        }
    }

    /** Publishes the version's spec-changed if asked to, and records that Kafka acknowledged it. */
    private Registration finish(Registration registration, boolean publish) {
        if (!publish) {
            return registration;
        }
        StoredVersion v = registration.version();
        try {
            publisher.publish(v, config.publishTimeout());
            store.markPublished(v.subject(), v.version());
        } catch (java.sql.SQLException | RuntimeException e) {
            throw new UnavailableException("publish_failed", "version " + v.version() + " of '" + v.subject()
                    + "' is stored but Kafka did not acknowledge its spec-changed event (" + e.getMessage()
                    + "); submit the same spec again to publish it", e);
        }
        return new Registration(registration.created(), v, true, registration.warnings());
    }

    private LiveSchema readLive(Request r) {
        try {
            return catalog.read(r.target, r.schema);
        } catch (SQLException e) {
            throw new UnavailableException("target_unavailable", "cannot read the catalog of target '" + r.target + "': "
                    + e.getMessage(), e);
        }
    }

    private record Request(String subject, String target, String schema, List<String> objects) {
    }

    private record Compiled(ParsedSpec parsed, CompiledModel model) {
    }

    private Request check(Submission s) {
        if (s.subject() == null || !SUBJECT.matcher(s.subject()).matches()) {
            throw new RejectedSpecException("invalid_subject", "subject must match " + SUBJECT.pattern());
        }
        String target = s.target() == null || s.target().isBlank() ? TargetsConfig.DEFAULT_TARGET : s.target();
        if (!catalog.knows(target)) {
            throw new RejectedSpecException("unknown_target", "there is no target named '" + target + "'; configured targets: "
                    + catalog.names());
        }
        String schema = s.schema() == null || s.schema().isBlank() ? defaultSchema(s.subject()) : s.schema();
        if (schema.indexOf('\0') >= 0 || !SqlIdentifiers.fits(schema)) {
            throw new RejectedSpecException("invalid_schema", "schema name must be 1 to " + SqlIdentifiers.MAX_BYTES
                    + " bytes without NUL characters");
        }
        if (schema.startsWith("pg_") || schema.equals("information_schema")) {
            throw new RejectedSpecException("invalid_schema", "schema name '" + schema + "' is reserved by PostgreSQL");
        }
        List<String> objects = s.objects() == null ? null
                : s.objects().stream().map(String::trim).filter(o -> !o.isEmpty()).distinct().toList();
        return new Request(s.subject(), target, schema, objects == null || objects.isEmpty() ? null : objects);
    }

    /** The subject lower-cased, anything but [a-z0-9_] replaced by an underscore: {@code Stripe.API -> stripe_api}. */
    public static String defaultSchema(String subject) {
        return subject.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    private Compiled compile(Request r, Submission submission) {
        ParsedSpec parsed = parser.parse(submission.spec());
        try {
            return new Compiled(parsed, SchemaCompiler.compile(parsed.openApi(), r.objects, config.defaultTableRule(),
                    submission.strictNames()));
        } catch (CompileException e) {
            throw new RejectedSpecException("compile_error", e.getMessage());
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
