package dev.shadowshift.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowshift.contracts.EventCodec;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * A thin client of backup-worker's REST API ({@code /backups}): where the worker is, the bearer token if one is
 * given, and every answer that is not a success turned into a {@link Failure} that says what to do about it.
 */
final class BackupClient {

    /** backup-worker's own default port, when neither a flag, the environment nor a running ./shadowshift up says where it is. */
    static final String DEFAULT_URL = "http://localhost:8083";
    static final String URL_ENV = "SHADOWSHIFT_BACKUP_URL";
    static final String TOKEN_ENV = "SHADOWSHIFT_TOKEN";
    /** The environment, replaceable in tests. */
    static Function<String, String> env = System::getenv;

    /** What went wrong, with the exit code it gives (1 failed, 2 invalid input). */
    static final class Failure extends Exception {
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    private final String url;
    private final String urlSource;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private BackupClient(String url, String urlSource, String token) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.urlSource = urlSource;
        this.token = token;
    }

    /** --url, else SHADOWSHIFT_BACKUP_URL, else the running ./shadowshift up's backup-worker, else localhost:8083. */
    static BackupClient of(String urlFlag, Path tokenFile) throws Failure {
        String url;
        String source;
        if (urlFlag != null && !urlFlag.isBlank()) {
            url = urlFlag;
            source = "--url";
        } else if (present(env.apply(URL_ENV))) {
            url = env.apply(URL_ENV);
            source = URL_ENV;
        } else {
            String fromStack;
            try {
                fromStack = RunningStack.facts().map(f -> f.get(URL_ENV)).orElse(null);
            } catch (IOException e) {
                fromStack = null;
            }
            url = fromStack == null ? DEFAULT_URL : fromStack;
            source = fromStack == null ? "the default; ./shadowshift up is not running" : "./shadowshift status";
        }
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            throw new Failure(Shadowshift.INVALID_INPUT, "backup-worker URL '" + url + "' (from " + source + ") is not valid: " + e.getMessage());
        }
        return new BackupClient(url, source, token(tokenFile));
    }

    private static String token(Path tokenFile) throws Failure {
        if (tokenFile != null) {
            try {
                String t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
                if (t.isEmpty()) {
                    throw new Failure(Shadowshift.INVALID_INPUT, "--token-file " + tokenFile + " is empty");
                }
                return t;
            } catch (IOException e) {
                throw new Failure(Shadowshift.INVALID_INPUT, "cannot read --token-file " + tokenFile + ": " + e.getMessage());
            }
        }
        String t = env.apply(TOKEN_ENV);
        return present(t) ? t.strip() : null;
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    String url() {
        return url;
    }

    JsonNode get(String path) throws Failure {
        return send("GET", path, null, Duration.ofSeconds(30));
    }

    /** @param timeout how long the worker may take: a verification or a restore runs while the request waits */
    JsonNode post(String path, Object body, Duration timeout) throws Failure {
        return send("POST", path, body, timeout);
    }

    private JsonNode send(String method, String path, Object body, Duration timeout) throws Failure {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(timeout)
                .header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(EventCodec.mapper().writeValueAsString(body)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw unreachable(e);
        } catch (java.net.http.HttpTimeoutException e) {
            throw new Failure(Shadowshift.FAILED, "backup-worker at " + url + " did not answer " + method + " " + path + " within "
                    + timeout.toSeconds() + " s; what it was doing goes on there (see ./shadowshift backup list)");
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(Shadowshift.FAILED, "interrupted");
        }
        JsonNode json = parse(response.body());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            if (json == null) {
                throw new Failure(Shadowshift.FAILED, url + " answered " + method + " " + path + " with something that is not JSON: "
                        + abbreviate(response.body()) + " (is " + url + " a backup-worker?)");
            }
            return json;
        }
        throw refused(status, method, path, json == null ? abbreviate(response.body()) : json.path("error").asText(abbreviate(response.body())));
    }

    private Failure unreachable(Exception e) {
        String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new Failure(Shadowshift.FAILED, "backup-worker is not reachable at " + url + " (from " + urlSource + "): " + cause
                + ". Start the stack with ./shadowshift up, or point --url or " + URL_ENV + " at a running backup-worker.");
    }

    private Failure refused(int status, String method, String path, String error) {
        return switch (status) {
            case 400 -> new Failure(Shadowshift.INVALID_INPUT, "backup-worker refused the request: " + error);
            case 401, 403 -> new Failure(Shadowshift.FAILED, "backup-worker answered HTTP " + status + (status == 401 ? " Unauthorized" : " Forbidden")
                    + " to " + method + " " + path + ": a token with role operator is needed"
                    + (token == null ? " and none was sent" : "; the one sent was refused (expired, or without that role)")
                    + ". Put it in " + TOKEN_ENV + " or in a file named with --token-file (./shadowshift token makes one).");
            case 404 -> new Failure(Shadowshift.FAILED, error.isBlank() ? "backup-worker at " + url + " has no " + path : error);
            case 409 -> new Failure(Shadowshift.FAILED, "refused (HTTP 409): " + error);
            default -> new Failure(Shadowshift.FAILED, "backup-worker failed " + method + " " + path + " (HTTP " + status + "): " + error);
        };
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return EventCodec.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String abbreviate(String body) {
        String s = body == null ? "" : body.strip();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    static Map<String, Object> createRequest(String target, java.util.List<String> tables) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("target", target);
        if (tables != null && !tables.isEmpty()) {
            body.put("tables", tables);
        }
        return body;
    }
}
