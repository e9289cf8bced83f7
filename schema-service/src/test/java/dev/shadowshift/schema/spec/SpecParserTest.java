package dev.shadowshift.schema.spec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecParserTest {

    static final SpecParser PARSER = new SpecParser(200, 100);

    static RejectedSpecException rejected(String text) {
        return assertThrows(RejectedSpecException.class, () -> PARSER.parse(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void invalidJsonNamesLineAndColumn() {
        RejectedSpecException e = rejected("{\"openapi\": \"3.0.0\",\n \"info\": }");
        assertEquals("invalid_json", e.error());
        assertTrue(e.detail().contains("line 2"), e.detail());
    }

    @Test
    void invalidYamlNamesLine() {
        RejectedSpecException e = rejected("openapi: 3.0.0\ninfo: [unclosed\n");
        assertEquals("invalid_yaml", e.error());
        assertTrue(e.detail().contains("line"), e.detail());
    }

    @Test
    void notOpenApi() {
        assertEquals("not_openapi", rejected("{\"hello\": \"world\"}").error());
        assertEquals("not_openapi", rejected("[1, 2]").error());
        assertEquals("not_openapi", rejected("just some text").error());
        assertEquals("not_openapi", rejected("{\"openapi\": \"4.0.0\"}").error());
    }

    @Test
    void unresolvedAndExternalRefsAreRefused() {
        RejectedSpecException e = rejected("""
                {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {},
                 "components": {"schemas": {"a": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/missing"}}}}}}""");
        assertEquals("unresolved_ref", e.error());
        assertTrue(e.detail().contains("#/components/schemas/missing") && e.detail().contains("/components/schemas/a/properties/b"), e.detail());
        RejectedSpecException ext = rejected("""
                {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {},
                 "components": {"schemas": {"a": {"$ref": "http://169.254.169.254/latest/meta-data"}}}}""");
        assertEquals("external_ref", ext.error());
    }

    @Test
    void absurdNestingIsRefused() {
        String deep = "{\"openapi\": \"3.0.0\", \"x\": " + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertEquals("too_deep", rejected(deep).error());
        StringBuilder yaml = new StringBuilder("openapi: 3.0.0\nx:\n");
        for (int i = 1; i < 300; i++) {
            yaml.append("  ".repeat(i)).append("a:\n");
        }
        yaml.append("  ".repeat(300)).append("b: 1\n");
        assertEquals("too_deep", rejected(yaml.toString()).error());
    }

    @Test
    void yamlAliasBombIsRefused() {
        String bomb = """
                openapi: 3.0.0
                a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
                b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
                c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
                d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
                e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
                f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
                g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
                h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
                i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
                """;
        assertEquals("yaml_aliases", rejected(bomb).error());
    }

    @Test
    void emptyAndNonUtf8AreRefused() {
        assertEquals("empty_spec", rejected("  \n").error());
        assertEquals("invalid_encoding", assertThrows(RejectedSpecException.class,
                () -> PARSER.parse(new byte[]{'{', (byte) 0xC3, (byte) 0x28, '}'})).error());
    }

    @Test
    void swagger2IsConverted() {
        ParsedSpec spec = PARSER.parse("""
                swagger: "2.0"
                info: {title: t, version: "1"}
                paths: {}
                definitions:
                  user:
                    type: object
                    properties:
                      id: {type: string}
                """.getBytes(StandardCharsets.UTF_8));
        assertEquals("2.0", spec.version());
        assertTrue(spec.openApi().getComponents().getSchemas().containsKey("user"));
    }
}
