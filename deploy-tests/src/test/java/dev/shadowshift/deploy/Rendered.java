package dev.shadowshift.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kustomize root rendered to its objects: by {@code kubectl kustomize} when kubectl is installed (it renders offline),
 * else by reading the YAML the way kustomize would for what the base uses (resources, namespace, labels and a
 * configMapGenerator; no patches, so the overlays need kubectl).
 */
final class Rendered {

    static final String ROOT = "deploy/kubernetes";
    private static final Map<String, List<JsonNode>> CACHE = new ConcurrentHashMap<>();

    private Rendered() {
    }

    static Optional<Path> kubectl() {
        return Repo.onPath("kubectl");
    }

    /** The default install, deploy/kubernetes. */
    static List<JsonNode> install() {
        return CACHE.computeIfAbsent(ROOT, dir -> kubectl().isPresent() ? kustomize(dir) : read(Repo.path(dir), null));
    }

    static List<JsonNode> kustomize(String dir) {
        Repo.Run run = Repo.run(Repo.ROOT, Map.of(), Duration.ofSeconds(60), kubectl().orElseThrow().toString(), "kustomize", dir);
        assertEquals(0, run.exit(), "kubectl kustomize " + dir + ":\n" + run.output());
        List<JsonNode> objects = Repo.documents(run.output());
        assertTrue(objects.size() > 0, "kubectl kustomize " + dir + " rendered nothing");
        return objects;
    }

    static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    static Optional<JsonNode> named(List<JsonNode> objects, String kind, String name) {
        return ofKind(objects, kind).stream().filter(o -> o.path("metadata").path("name").asText().equals(name)).findFirst();
    }

    static JsonNode one(List<JsonNode> objects, String kind, String name) {
        return named(objects, kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + ROOT));
    }

    private static List<JsonNode> read(Path dir, String outerNamespace) {
        JsonNode k = Repo.documents(readFile(dir.resolve("kustomization.yaml"))).get(0);
        String namespace = k.hasNonNull("namespace") ? k.get("namespace").asText() : outerNamespace;
        List<JsonNode> objects = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            objects.addAll(Files.isDirectory(p) ? read(p, namespace) : Repo.documents(readFile(p)));
        }
        for (JsonNode gen : k.path("configMapGenerator")) {
            ObjectNode cm = Repo.YAML.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
            ObjectNode meta = cm.putObject("metadata").put("name", gen.path("name").asText());
            JsonNode options = k.path("generatorOptions");
            if (options.has("labels")) {
                meta.set("labels", options.get("labels").deepCopy());
            }
            if (options.has("annotations")) {
                meta.set("annotations", options.get("annotations").deepCopy());
            }
            ObjectNode data = cm.putObject("data");
            for (JsonNode f : gen.path("files")) {
                data.put(Path.of(f.asText()).getFileName().toString(), readFile(dir.resolve(f.asText())));
            }
            objects.add(cm);
        }
        for (JsonNode o : objects) {
            ObjectNode meta = (ObjectNode) o.path("metadata");
            if (namespace != null && !meta.has("namespace")) {
                meta.put("namespace", namespace);
            }
            for (JsonNode l : k.path("labels")) {
                l.path("pairs").fields().forEachRemaining(e -> {
                    meta.with("labels").put(e.getKey(), e.getValue().asText());
                    JsonNode template = o.path("spec").path("template").path("metadata");
                    if (l.path("includeTemplates").asBoolean() && template.isObject()) {
                        ((ObjectNode) template).with("labels").put(e.getKey(), e.getValue().asText());
                    }
                });
            }
        }
        return objects;
    }

    private static String readFile(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
