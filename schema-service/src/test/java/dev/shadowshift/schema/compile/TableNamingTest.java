package dev.shadowshift.schema.compile;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.shadowshift.schema.compile.SchemaCompilerTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Collection envelopes are not tables; two resources on one table name are resolved by a fixed rule, or refused. */
class TableNamingTest {

    static final Path BOX_SHAPED = Path.of("src/test/resources/specs/box-shaped.yaml");

    static CompiledModel compile(String yaml, boolean strict) {
        return SchemaCompiler.compile(parse(yaml).openApi(), null, SchemaCompiler.TableRule.ALL_OBJECTS, strict);
    }

    static List<String> tables(CompiledModel model) {
        return model.tables().stream().map(t -> t.name() + "<-" + t.source()).toList();
    }

    static List<String> naming(CompiledModel model) {
        return model.naming().stream().map(n -> n.decision() + " " + n.schema() + " " + n.wanted()
                + (n.table() == null ? "" : " -> " + n.table())).toList();
    }

    /** A spec of the given component schemas, each given as its YAML body indented for the components map. */
    static String spec(String schemas) {
        return """
                openapi: 3.0.3
                info: {title: t, version: "1"}
                paths: {}
                components:
                  schemas:
                """ + schemas.indent(4);
    }

    @Test
    void aFileStorageSpecWithEnvelopePairsCompilesWithEverySkipAndRenameReported() throws Exception {
        CompiledModel model = SchemaCompiler.compile(parse(Files.readString(BOX_SHAPED)).openApi(), null);
        assertEquals(List.of("collaborations<-Collaboration", "comments<-Comment", "events<-Event", "file_bases<-File--Base",
                "file_minis<-File--Mini", "file_standards<-File--Standard", "files<-File", "files_full<-File--Full",
                "folder_minis<-Folder--Mini", "locks<-Lock", "terms_of_services<-TermsOfService", "user_minis<-User--Mini",
                "users<-User", "webhooks<-Webhook", "webhooks_45808d75<-Webhooks"), tables(model));
        assertEquals(List.of("SKIPPED Collaborations collaborations", "SKIPPED Comments comments", "SKIPPED Events events",
                "SKIPPED Files files", "SKIPPED Items items", "SKIPPED TermsOfServices terms_of_services",
                "SKIPPED Users users", "RENAMED Webhooks webhooks -> webhooks_45808d75"), naming(model));
        NameDecision files = model.naming().get(3);
        assertEquals("collection envelope of 'File--Full' (entries, paged by total_count, limit, offset, order): not a table, "
                + "its items are rows of their own table", files.reason());
        assertTrue(model.naming().get(4).reason().contains("'File--Mini', 'Folder--Mini'"), model.naming().get(4).reason());
        assertTrue(model.naming().get(7).reason().contains("'webhooks' goes to 'Webhook' (the singular name wins)"),
                model.naming().get(7).reason());
        // four levels of allOf, merged in order
        assertEquals(List.of("id", "type", "etag", "sequence_id", "name", "sha1", "description", "size", "created_at",
                        "modified_at", "created_by", "parent", "path_collection", "item_status", "version_number", "comment_count",
                        "tags", "lock", "extension", "expires_at"),
                model.table("files").orElseThrow().columns().stream().map(CompiledColumn::name).toList());
    }

    @Test
    void anEnvelopeNeedsOneArrayOfComponentsAndOnlyPagingBesideIt() {
        CompiledModel model = compile(spec("""
                thing: {type: object, properties: {id: {type: string}}}
                label: {type: string, enum: [a, b]}
                stripe_style_list:
                  type: object
                  properties: {object: {type: string, enum: [list]}, data: {type: array, items: {$ref: '#/components/schemas/thing'}}, has_more: {type: boolean}, url: {type: string}}
                camel_case_page:
                  type: object
                  properties: {totalCount: {type: integer}, nextCursor: {type: string}, results: {type: array, items: {$ref: '#/components/schemas/thing'}}}
                no_paging:
                  type: object
                  properties: {entries: {type: array, items: {$ref: '#/components/schemas/thing'}}}
                more_than_paging:
                  type: object
                  properties: {total_count: {type: integer}, name: {type: string}, entries: {type: array, items: {$ref: '#/components/schemas/thing'}}}
                two_arrays:
                  type: object
                  properties: {total_count: {type: integer}, a: {type: array, items: {$ref: '#/components/schemas/thing'}}, b: {type: array, items: {$ref: '#/components/schemas/thing'}}}
                of_strings:
                  type: object
                  properties: {total_count: {type: integer}, entries: {type: array, items: {type: string}}}
                of_scalar_component:
                  type: object
                  properties: {total_count: {type: integer}, entries: {type: array, items: {$ref: '#/components/schemas/label'}}}
                of_itself:
                  type: object
                  properties: {total_count: {type: integer}, children: {type: array, items: {$ref: '#/components/schemas/of_itself'}}}
                """), false);
        assertEquals(List.of("SKIPPED camel_case_page camel_case_pages", "SKIPPED stripe_style_list stripe_style_lists"),
                naming(model));
        assertEquals(List.of("more_than_pagings", "no_pagings", "of_itselfs", "of_scalar_components", "of_strings", "things",
                "two_arrays"), model.tables().stream().map(CompiledTable::name).toList());
    }

    @Test
    void anEnvelopeNamedExplicitlyIsCompiledAsAsked() {
        String yaml = spec("""
                file: {type: object, properties: {id: {type: string}}}
                file_page:
                  type: object
                  properties: {total_count: {type: integer}, entries: {type: array, items: {$ref: '#/components/schemas/file'}}}
                """);
        CompiledModel model = SchemaCompiler.compile(parse(yaml).openApi(), List.of("file", "file_page"));
        assertEquals(List.of("file_pages", "files"), model.tables().stream().map(CompiledTable::name).toList());
        assertEquals(List.of(), model.naming());
    }

    static final String TWO_RESOURCES = """
            Files:
              type: object
              properties: {id: {type: string}, quota: {type: integer}}
            File:
              type: object
              properties: {id: {type: string}, name: {type: string}}
            """;

    @Test
    void ofTwoResourcesTheSingularNameWinsWhateverTheirOrderAndTheOtherGetsAStableSuffix() {
        CompiledModel model = compile(spec(TWO_RESOURCES), false);
        String suffixed = Names.suffixedTableName("Files");
        assertTrue(suffixed.matches("files_[0-9a-f]{8}"), suffixed);
        assertEquals(List.of("files<-File", suffixed + "<-Files"), tables(model));
        assertEquals(List.of("RENAMED Files files -> " + suffixed), naming(model));
        assertEquals(List.of("id", "quota"), model.table(suffixed).orElseThrow().columns().stream().map(CompiledColumn::name).toList());

        // the document's order does not matter, and neither do other schemas
        CompiledModel swapped = compile(spec("""
                File:
                  type: object
                  properties: {id: {type: string}, name: {type: string}}
                Archive:
                  type: object
                  properties: {id: {type: string}}
                Files:
                  type: object
                  properties: {id: {type: string}, quota: {type: integer}}
                """), false);
        assertEquals(List.of("archives<-Archive", "files<-File", suffixed + "<-Files"), tables(swapped));
    }

    @Test
    void withoutASingularNameTheFirstInCodePointOrderWinsAndThreeWaysWork() {
        CompiledModel model = compile(spec("""
                file_item:
                  type: object
                  properties: {id: {type: string}}
                FileItem:
                  type: object
                  properties: {id: {type: string}}
                file-item:
                  type: object
                  properties: {id: {type: string}}
                """), false);
        // all three are singular: FileItem < file-item < file_item in code points
        assertEquals("file_items<-FileItem", tables(model).get(0));
        assertEquals(List.of("RENAMED file-item file_items -> " + Names.suffixedTableName("file-item"),
                "RENAMED file_item file_items -> " + Names.suffixedTableName("file_item")), naming(model));
        assertTrue(model.naming().get(0).reason().contains("first in code-point order"), model.naming().get(0).reason());
        assertEquals(3, model.tables().size());
    }

    @Test
    void strictNamesRefuseTwoResourcesOnOneTableAsBeforeButStillSkipEnvelopes() {
        CompileException e = assertThrows(CompileException.class, () -> compile(spec(TWO_RESOURCES), true));
        assertEquals("component schemas 'File' and 'Files' both map to table 'files' (refused: strict names; otherwise 'File' "
                + "keeps it and 'Files' becomes '" + Names.suffixedTableName("Files") + "')", e.getMessage());
        CompiledModel envelopes = compile(spec("""
                File:
                  type: object
                  properties: {id: {type: string}, name: {type: string}}
                Files:
                  type: object
                  properties: {total_count: {type: integer}, entries: {type: array, items: {$ref: '#/components/schemas/File'}}}
                """), true);
        assertEquals(List.of("files<-File"), tables(envelopes));
        assertEquals(List.of("SKIPPED Files files"), naming(envelopes));
    }

    @Test
    void theNamingReportIsStoredWithTheModelAndOlderModelsReadBackWithAnEmptyOne() throws Exception {
        var mapper = dev.shadowshift.contracts.EventCodec.mapper();
        CompiledModel model = compile(spec(TWO_RESOURCES), false);
        CompiledModel back = mapper.readValue(mapper.writeValueAsString(model), CompiledModel.class);
        assertEquals(model, back);
        CompiledModel stored = mapper.readValue("{\"tables\":[{\"name\":\"files\",\"source\":\"File\",\"columns\":[]}]}",
                CompiledModel.class);
        assertEquals(List.of(), stored.naming());
        assertEquals("files", stored.tables().get(0).name());
    }

    @Test
    void theSharedSpecsNeedNoSkipOrRename() throws Exception {
        for (Path file : List.of("stripe-spec3-2022-04-12.json", "github-api.github.com-v1.1.3.json", "slack-web-api-swagger2.json",
                "twilio-api-v2010.yaml").stream().map(SchemaCompilerTest.SPECS::resolve).toList()) {
            CompiledModel model = SchemaCompiler.compile(SchemaCompilerTest.PARSER.parse(Files.readAllBytes(file)).openApi(), null,
                    SchemaCompiler.TableRule.ALL_OBJECTS, true);
            assertEquals(List.of(), model.naming(), file.toString());
        }
    }
}
