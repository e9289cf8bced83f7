package dev.shadowshift.schema.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a submitted OpenAPI document (JSON or YAML; OpenAPI 3.0, 3.1 or Swagger 2.0) safely:
 * <ol>
 *   <li>strict UTF-8, then a syntax pass with limits of our own (nesting depth, YAML aliases, duplicate keys), so
 *       that hostile input fails fast with a line and column instead of exhausting memory inside the parser;</li>
 *   <li>every {@code $ref} must be local and must resolve: external references are refused, because following them
 *       would make this service fetch URLs or read files chosen by whoever submits a spec;</li>
 *   <li>swagger-parser builds the model, resolving references without flattening (Stripe's schemas are cyclic).</li>
 * </ol>
 */
public final class SpecParser {

    static {
        // swagger-parser silently returns no model for YAML above ~3 MiB unless this is raised; it reads the
        // property once, when its DeserializationUtils class loads, so it must be set before any parsing
        if (System.getProperty("maxYamlCodePoints") == null) {
            System.setProperty("maxYamlCodePoints", "60000000");
        }
    }

    private final int maxDepth;
    private final int maxAliases;
    private final ObjectMapper json;

    /**
     * @param maxDepth   deepest nesting of objects and arrays accepted (Stripe needs about 20)
     * @param maxAliases most YAML aliases to collections accepted; alias bombs need many
     */
    public SpecParser(int maxDepth, int maxAliases) {
        this.maxDepth = maxDepth;
        this.maxAliases = maxAliases;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
                .build();
        factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.json = new ObjectMapper(factory);
    }

    public ParsedSpec parse(byte[] body) {
        String text = decode(body);
        if (text.isBlank()) {
            throw new RejectedSpecException("empty_spec", "the spec is empty");
        }
        boolean isJson = text.stripLeading().startsWith("{") || text.stripLeading().startsWith("[");
        JsonNode tree = isJson ? readJson(text) : readYaml(text);
        String version = checkOpenApi(tree);
        checkReferences(tree);
        return build(text, isJson ? "json" : "yaml", version);
    }

    private static String decode(byte[] body) {
        if (body == null) {
            return "";
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new RejectedSpecException("invalid_encoding", "the spec is not valid UTF-8: " + e.getMessage());
        }
    }

    private JsonNode readJson(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String problem = e.getOriginalMessage();
            if (problem != null && problem.contains("nesting depth")) {
                throw new RejectedSpecException("too_deep", "the JSON nests deeper than " + maxDepth + " levels" + where);
            }
            throw new RejectedSpecException("invalid_json", "the spec is not valid JSON" + where + ": " + problem);
        }
    }

    private JsonNode readYaml(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(maxAliases);
        options.setNestingDepthLimit(maxDepth);
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(Math.max(text.length() + 1, 3 * 1024 * 1024));
        Object loaded;
        try {
            loaded = new Yaml(new SafeConstructor(options)).load(text);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            throw yamlProblem(e.getProblem() + (e.getContext() == null ? "" : " (" + e.getContext() + ")"), where);
        } catch (YAMLException e) {
            throw yamlProblem(e.getMessage(), "");
        } catch (StackOverflowError e) {
            throw new RejectedSpecException("too_deep", "the YAML nests too deeply to read");
        }
        checkExpansion(loaded, 2_000_000L + text.length());
        try {
            return json.valueToTree(loaded);
        } catch (IllegalArgumentException e) {
            throw new RejectedSpecException("invalid_yaml", "the YAML cannot be read as a JSON tree: " + e.getMessage());
        }
    }

    /**
     * Aliases make a small YAML text stand for a huge tree (the "billion laughs"): SnakeYAML shares the aliased
     * collections, but anything that walks the tree sees every copy. Counts the nodes a walk would see, stopping at
     * the budget, before anything else walks it.
     */
    private void checkExpansion(Object loaded, long budget) {
        long seen = 0;
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(loaded == null ? "" : loaded);
        while (!todo.isEmpty()) {
            Object node = todo.pop();
            if (++seen > budget) {
                throw new RejectedSpecException("yaml_aliases", "the YAML expands to more than " + budget
                        + " nodes through aliases (an alias bomb?)");
            }
            if (node instanceof Map<?, ?> map) {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (e.getValue() != null) {
                        todo.push(e.getValue());
                    }
                }
            } else if (node instanceof List<?> list) {
                for (Object item : list) {
                    if (item != null) {
                        todo.push(item);
                    }
                }
            }
        }
    }

    private RejectedSpecException yamlProblem(String problem, String where) {
        String p = problem == null ? "unreadable" : problem;
        if (p.contains("aliases")) {
            return new RejectedSpecException("yaml_aliases", "the YAML uses more than " + maxAliases
                    + " aliases to collections (an alias bomb?)" + where);
        }
        if (p.contains("Nesting Depth") || p.contains("nesting depth")) {
            return new RejectedSpecException("too_deep", "the YAML nests deeper than " + maxDepth + " levels" + where);
        }
        return new RejectedSpecException("invalid_yaml", "the spec is neither valid JSON nor valid YAML" + where + ": " + p);
    }

    private static String checkOpenApi(JsonNode tree) {
        if (tree == null || !tree.isObject()) {
            throw new RejectedSpecException("not_openapi", "the document is not an OpenAPI document: its top level is "
                    + (tree == null ? "empty" : tree.getNodeType().toString().toLowerCase()) + ", not an object");
        }
        JsonNode openapi = tree.get("openapi");
        JsonNode swagger = tree.get("swagger");
        if (openapi != null) {
            String v = openapi.asText();
            if (!openapi.isTextual() || !(v.startsWith("3.0") || v.startsWith("3.1"))) {
                throw new RejectedSpecException("not_openapi", "unsupported 'openapi' version '" + v + "': 3.0.x and 3.1.x are supported");
            }
            return v;
        }
        if (swagger != null) {
            if (!"2.0".equals(swagger.asText())) {
                throw new RejectedSpecException("not_openapi", "unsupported 'swagger' version '" + swagger.asText() + "': only 2.0 is supported");
            }
            return "2.0";
        }
        throw new RejectedSpecException("not_openapi", "the document is not an OpenAPI document: it has neither an 'openapi' nor a 'swagger' field at the top level");
    }

    /** Every $ref must point into this document and land on something. Reports the first few that do not. */
    private static void checkReferences(JsonNode root) {
        List<String> unresolved = new ArrayList<>();
        int count = 0;
        Deque<Map.Entry<String, JsonNode>> todo = new ArrayDeque<>();
        todo.push(Map.entry("", root));
        while (!todo.isEmpty()) {
            Map.Entry<String, JsonNode> entry = todo.pop();
            String path = entry.getKey();
            JsonNode node = entry.getValue();
            if (node.isObject()) {
                JsonNode ref = node.get("$ref");
                if (ref != null && ref.isTextual()) {
                    String target = ref.asText();
                    String where = path.isEmpty() ? "/" : path;
                    if (!target.startsWith("#")) {
                        throw new RejectedSpecException("external_ref", "$ref '" + target + "' at " + where
                                + " points outside the document; only local references (#/...) are accepted");
                    }
                    if (!resolves(root, target.substring(1))) {
                        count++;
                        if (unresolved.size() < 5) {
                            unresolved.add("$ref '" + target + "' at " + where);
                        }
                    }
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> child = it.next();
                    if (isData(path, child.getKey(), child.getValue())) {
                        continue;
                    }
                    todo.push(Map.entry(path + "/" + child.getKey().replace("~", "~0").replace("/", "~1"), child.getValue()));
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    todo.push(Map.entry(path + "/" + i, node.get(i)));
                }
            }
        }
        if (count > 0) {
            throw new RejectedSpecException("unresolved_ref", count + " unresolved reference(s): " + String.join("; ", unresolved)
                    + (count > unresolved.size() ? "; ..." : ""));
        }
    }

    /**
     * Example values, defaults, enums and extensions are data, not schema: a "$ref" key inside them is just a key
     * (GitHub's spec has SCIM examples with "$ref": "https://..."), so they are not checked.
     */
    private static boolean isData(String parentPath, String key, JsonNode value) {
        if (parentPath.endsWith("/properties") || parentPath.endsWith("/schemas") || parentPath.endsWith("/definitions")) {
            return false; // here keys are names: a property may well be called "default" or "enum"
        }
        if (key.equals("example") || key.equals("default") || key.equals("enum") || key.equals("const") || key.startsWith("x-")) {
            return true;
        }
        if (key.equals("examples") && value.isArray()) {
            return true; // JSON Schema examples: a list of values
        }
        if (key.equals("value")) {
            // the value of an Example object: .../examples/<name>/value
            int last = parentPath.lastIndexOf('/');
            return last > 0 && parentPath.substring(0, last).endsWith("/examples");
        }
        return false;
    }

    private static boolean resolves(JsonNode root, String pointer) {
        if (pointer.isEmpty()) {
            return true;
        }
        try {
            if (!root.at(JsonPointer.compile(pointer)).isMissingNode()) {
                return true;
            }
            String decoded = java.net.URLDecoder.decode(pointer.replace("+", "%2B"), StandardCharsets.UTF_8);
            return !decoded.equals(pointer) && !root.at(JsonPointer.compile(decoded)).isMissingNode();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ParsedSpec build(String text, String format, String version) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(false); // full resolution inlines every $ref: Stripe's cycles make that explode
        options.setFlatten(false);
        SwaggerParseResult result;
        try {
            result = new OpenAPIParser().readContents(text, null, options);
        } catch (RuntimeException | StackOverflowError e) {
            throw new RejectedSpecException("not_openapi", "swagger-parser cannot read the document: " + e);
        }
        List<String> messages = result == null || result.getMessages() == null ? List.of() : result.getMessages();
        if (result == null || result.getOpenAPI() == null) {
            throw new RejectedSpecException("not_openapi", "swagger-parser produced no OpenAPI model"
                    + (messages.isEmpty() ? "" : ": " + String.join("; ", messages.subList(0, Math.min(5, messages.size())))));
        }
        return new ParsedSpec(result.getOpenAPI(), format, version, List.copyOf(messages));
    }
}
