package dev.shadowshift.security;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CSRF-safe bodies: a page on any site can make a browser send a POST as {@code text/plain}, a form or multipart
 * without asking first (no CORS preflight). Every endpoint that takes a body declares its JSON (or, for specs, YAML)
 * type and answers anything else with 415; this filter does the same for the endpoints without a body (approve,
 * verify, pin...) when such a request carries a body, so no mutating request arrives with data a foreign page chose.
 */
@Provider
@PreMatching
public class SafeContentTypes implements ContainerRequestFilter {

    /** The types a browser sends cross-site without a preflight (the Fetch standard's CORS-safelisted ones). */
    static final Set<String> SIMPLE_TYPES = Set.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data");
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    @Override
    public void filter(ContainerRequestContext request) {
        if (hasBody(request) && refused(request.getMethod(), request.getHeaderString(HttpHeaders.CONTENT_TYPE))) {
            request.abortWith(Response.status(Response.Status.UNSUPPORTED_MEDIA_TYPE).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "a " + request.getMethod() + " takes application/json (specs also application/yaml), not "
                            + request.getHeaderString(HttpHeaders.CONTENT_TYPE)))
                    .build());
        }
    }

    /** An empty POST (curl -X POST, or a client that labels nothing) carries nothing a foreign page chose. */
    private static boolean hasBody(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        return request.getHeaderString("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
    }

    static boolean refused(String method, String contentType) {
        if (contentType == null || SAFE_METHODS.contains(method.toUpperCase(Locale.ROOT))) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return SIMPLE_TYPES.contains(type);
    }
}
