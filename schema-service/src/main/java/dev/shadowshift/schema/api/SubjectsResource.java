package dev.shadowshift.schema.api;

import dev.shadowshift.security.Roles;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import dev.shadowshift.contracts.changes.SchemaChange;
import dev.shadowshift.schema.compile.CompiledModel;
import dev.shadowshift.schema.compile.NameDecision;
import dev.shadowshift.schema.diff.Ddl;
import dev.shadowshift.schema.registry.Registration;
import dev.shadowshift.schema.registry.RegistryStore;
import dev.shadowshift.schema.registry.SpecRegistrar;
import dev.shadowshift.schema.registry.StoredVersion;
import dev.shadowshift.schema.registry.Submission;
import dev.shadowshift.schema.registry.SubjectSummary;
import dev.shadowshift.schema.spec.RejectedSpecException;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

@Path("/subjects")
@Tag(name = "Subjects", description = "Register OpenAPI specs as versions of a subject and see what they compile to")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@PermitAll // reads; shadowshift.auth.protect-reads gates them (ReadAccessPolicy)
public class SubjectsResource {

    static final String STRICT_NAMES = "refuse the spec (400 compile_error) when two component schemas map to one table name, "
            + "instead of renaming one with a stable suffix; collection envelopes are skipped either way; default false";

    private final SpecRegistrar registrar;
    private final RegistryStore store;

    public SubjectsResource(SpecRegistrar registrar, RegistryStore store) {
        this.registrar = registrar;
        this.store = store;
    }

    @POST
    @Path("/{subject}/versions")
    @RolesAllowed(Roles.PUBLISHER)
    // not text/plain: a foreign page could make a browser send that (415)
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml"})
    @Operation(summary = "Register a spec as the subject's next version",
            description = "Parses (JSON or YAML; OpenAPI 3.0, 3.1 or Swagger 2.0), compiles to tables, diffs against the "
                    + "live target schema, stores the version and publishes spec-changed. Repeating the latest version's "
                    + "exact content stores and publishes nothing.")
    @APIResponse(responseCode = "201", description = "a new version was registered and announced")
    @APIResponse(responseCode = "200", description = "identical to the latest version; nothing new")
    @APIResponse(responseCode = "400", description = "the spec or the parameters are unusable: {error, detail}")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "403", description = "the token lacks the publisher role")
    @APIResponse(responseCode = "409", description = "the content is an earlier version, or the latest with other parameters")
    @APIResponse(responseCode = "503", description = "the target database or Kafka did not answer; retry")
    public Response register(@PathParam("subject") String subject,
                             @Parameter(description = "target database name; default main") @QueryParam("target") String target,
                             @Parameter(description = "PostgreSQL schema; default: the subject lower-cased, other characters replaced by _")
                             @QueryParam("schema") String schema,
                             @Parameter(description = "comma-separated component schemas to turn into tables; default: every object schema with properties")
                             @QueryParam("objects") String objects,
                             @Parameter(description = "also add the recommended indexes (CREATE INDEX CONCURRENTLY) to the diff; default false")
                             @QueryParam("indexes") boolean indexes,
                             @Parameter(description = STRICT_NAMES) @QueryParam("strictNames") boolean strictNames,
                             byte[] spec) {
        Registration r = registrar.register(new Submission(subject, spec, target, schema, objectList(objects), null, indexes,
                strictNames));
        return Response.status(r.created() ? Response.Status.CREATED : Response.Status.OK)
                .entity(RegistrationResponse.of(r)).build();
    }

    /** The answer to a dry run. */
    public record DiffResponse(String subject, String target, String schema, int tables, int columns,
                               Map<String, Integer> changeCounts, List<SchemaChange> changes, List<String> warnings,
                               List<NameDecision> naming) {
    }

    @POST
    @Path("/{subject}/diff")
    // changes nothing: any role may ask
    @RolesAllowed({Roles.PUBLISHER, Roles.OPERATOR, Roles.VIEWER})
    @Consumes({MediaType.APPLICATION_JSON, "application/yaml", "application/x-yaml"})
    @Operation(summary = "Dry run: what registering this spec would change", description = "Stores nothing and publishes nothing.")
    @APIResponse(responseCode = "200", description = "the classified changes")
    @APIResponse(responseCode = "400", description = "the spec or the parameters are unusable: {error, detail}")
    public DiffResponse diff(@PathParam("subject") String subject, @QueryParam("target") String target,
                             @QueryParam("schema") String schema, @QueryParam("objects") String objects,
                             @Parameter(description = "also report missing recommended indexes and INVALID ones; default false")
                             @QueryParam("indexes") boolean indexes,
                             @Parameter(description = STRICT_NAMES) @QueryParam("strictNames") boolean strictNames, byte[] spec) {
        SpecRegistrar.DryRun d = registrar.diff(new Submission(subject, spec, target, schema, objectList(objects), null, indexes,
                strictNames));
        return new DiffResponse(d.subject(), d.target(), d.schema(), d.model().tables().size(), d.model().columnCount(),
                RegistrationResponse.counts(d.changes()), d.changes(), d.warnings(), d.model().naming());
    }

    @GET
    @Operation(summary = "All subjects with their latest version")
    public List<SubjectSummary> subjects() throws SQLException {
        return store.subjects();
    }

    /** One line of a subject's history. */
    public record VersionSummary(int version, String contentHash, String target, String schema, int tables, int changes,
                                 OffsetDateTime createdAt, boolean published) {
    }

    @GET
    @Path("/{subject}/versions")
    @Operation(summary = "A subject's versions, oldest first")
    @APIResponse(responseCode = "404", description = "no such subject")
    public List<VersionSummary> versions(@PathParam("subject") String subject) throws SQLException {
        return store.versions(subject).orElseThrow(() -> notFound("no subject named '" + subject + "'")).stream()
                .map(v -> new VersionSummary(v.version(), v.contentHash(), v.target(), v.schema(), v.model().tables().size(),
                        v.changes().size(), v.createdAt(), v.published()))
                .toList();
    }

    /** A table of the compiled model, in short. */
    public record TableSummary(String name, String source, int columns, String originalName) {
    }

    /** A version in full: metadata, what it compiled to and its diff at registration time. */
    public record VersionDetail(String subject, int version, Integer previousVersion, String contentHash, String format,
                                String target, String schema, List<String> objects, String compatibility, String eventId,
                                OffsetDateTime createdAt, OffsetDateTime publishedAt, int tableCount, int columnCount,
                                List<TableSummary> tables, List<NameDecision> naming, Map<String, Integer> changeCounts,
                                List<SchemaChange> changes) {
    }

    @GET
    @Path("/{subject}/versions/{version}")
    @Operation(summary = "One version: metadata, compiled model summary and diff", description = "version is a number or 'latest'")
    @APIResponse(responseCode = "404", description = "no such subject or version")
    public VersionDetail version(@PathParam("subject") String subject, @PathParam("version") String version) throws SQLException {
        StoredVersion v = find(subject, version);
        CompiledModel m = v.model();
        return new VersionDetail(v.subject(), v.version(), v.previousVersion(), v.contentHash(), v.format(), v.target(),
                v.schema(), v.objects(), v.compatibility(), v.eventId(), v.createdAt(), v.publishedAt(),
                m.tables().size(), m.columnCount(),
                m.tables().stream().map(t -> new TableSummary(t.name(), t.source(), t.columns().size(), t.originalName())).toList(),
                m.naming(), RegistrationResponse.counts(v.changes()), v.changes());
    }

    @GET
    @Path("/{subject}/versions/{version}/ddl")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The CREATE statements for the whole compiled model of a version",
            description = "With indexes=true, the recommended indexes follow as CREATE INDEX CONCURRENTLY statements")
    @APIResponse(responseCode = "404", description = "no such subject or version")
    public String ddl(@PathParam("subject") String subject, @PathParam("version") String version,
                      @Parameter(description = "append the recommended indexes; default false") @QueryParam("indexes") boolean indexes)
            throws SQLException {
        StoredVersion v = find(subject, version);
        return Ddl.script(v.schema(), v.model(), "-- subject " + v.subject() + " version " + v.version()
                + ", content sha256 " + v.contentHash() + ", " + v.model().tables().size() + " tables", indexes);
    }

    private StoredVersion find(String subject, String version) throws SQLException {
        if ("latest".equals(version)) {
            return store.latest(subject).orElseThrow(() -> notFound("subject '" + subject + "' has no versions"));
        }
        int n;
        try {
            n = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new RejectedSpecException("invalid_version", "version must be a positive integer or 'latest', not '" + version + "'");
        }
        return store.version(subject, n).orElseThrow(() -> notFound("subject '" + subject + "' has no version " + n));
    }

    private static NotFoundException notFound(String detail) {
        return new NotFoundException(ErrorMappers.answer(Response.Status.NOT_FOUND, "not_found", detail));
    }

    private static List<String> objectList(String objects) {
        return objects == null ? null : Arrays.stream(objects.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
