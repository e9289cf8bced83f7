package dev.shadowshift.schema.compile;

import dev.shadowshift.pg.SqlIdentifiers;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a parsed OpenAPI document into tables. Pure logic: no database, no framework.
 *
 * <p>Which component schemas become tables: the ones named in {@code objects}, or else those the {@link TableRule}
 * picks; by default every object schema that declares properties, so that every property a spec adds or changes is
 * a column the differ can see. Columns follow the property types: string text, integer bigint, number numeric,
 * boolean boolean, object jsonb, array of strings text[], any other array jsonb, unions (anyOf/oneOf/allOf) jsonb,
 * a $ref its target's scalar type or else jsonb. {@code id} is the primary key (bigint for integer ids, text
 * otherwise); a schema without an {@code id} property gets the seed's {@code id text} key all the same, for the
 * syncing side to fill. Every other column is nullable, so that a spec can only ever add what existing rows can
 * live with.
 *
 * <p>Names: a collection envelope (only an array of another component plus paging fields, such as
 * {@code Files = {entries: [File], total_count, limit, offset}}) is not a table; of two schemas that map to one table
 * name, the singular one keeps it and the other gets a stable suffix ({@link Names#suffixedTableName}), unless
 * strict names are asked for, which refuses the spec instead. Every skip and rename is in
 * {@link CompiledModel#naming()}.
 */
public final class SchemaCompiler {

    /** PostgreSQL refuses tables with more columns than this. */
    public static final int MAX_COLUMNS = 1600;
    private static final String COMPONENT_REF = "#/components/schemas/";

    private final Map<String, Schema> components;
    private final List<String> problems = new ArrayList<>();

    private SchemaCompiler(OpenAPI openApi) {
        Map<String, Schema> schemas = openApi.getComponents() == null ? null : openApi.getComponents().getSchemas();
        this.components = schemas == null ? Map.of() : schemas;
    }

    /**
     * @param objects component schema names to turn into tables; null or empty means the default rule
     * @throws CompileException naming every problem found, when there is any
     */
    public static CompiledModel compile(OpenAPI openApi, List<String> objects) {
        return compile(openApi, objects, TableRule.ALL_OBJECTS);
    }

    /** As {@link #compile(OpenAPI, List)}, choosing the rule that applies when no objects are named. */
    public static CompiledModel compile(OpenAPI openApi, List<String> objects, TableRule rule) {
        return compile(openApi, objects, rule, false);
    }

    /**
     * As {@link #compile(OpenAPI, List, TableRule)}.
     *
     * @param strictNames refuse two schemas that map to one table name instead of renaming one of them
     */
    public static CompiledModel compile(OpenAPI openApi, List<String> objects, TableRule rule, boolean strictNames) {
        return new SchemaCompiler(openApi).run(objects, rule, strictNames);
    }

    /** Which component schemas become tables when no explicit list is given. */
    public enum TableRule {
        /** Every object schema that declares at least one property, collection envelopes excepted. */
        ALL_OBJECTS,
        /** Only object schemas with an {@code id} property: the API's resources, not their nested value objects. */
        OBJECTS_WITH_ID
    }

    private CompiledModel run(List<String> objects, TableRule rule, boolean strictNames) {
        List<String> selected = new ArrayList<>();
        List<NameDecision> naming = new ArrayList<>();
        if (objects != null && !objects.isEmpty()) {
            // named explicitly: compiled as asked, envelopes included
            for (String name : new LinkedHashSet<>(objects)) {
                Schema schema = components.get(name);
                if (schema == null) {
                    problems.add("objects: there is no component schema named '" + name + "'");
                } else if (!isObject(schema) || properties(name, schema).isEmpty()) {
                    problems.add("objects: component schema '" + name + "' is not an object with properties");
                } else {
                    selected.add(name);
                }
            }
        } else {
            for (Map.Entry<String, Schema> e : components.entrySet()) {
                Map<String, Schema> properties = isObject(e.getValue()) ? properties(e.getKey(), e.getValue()) : Map.of();
                boolean picked = rule == TableRule.ALL_OBJECTS ? !properties.isEmpty() : properties.containsKey("id");
                if (!picked) {
                    continue;
                }
                String envelope = envelope(e.getKey(), properties);
                if (envelope != null) {
                    naming.add(new NameDecision(e.getKey(), NameDecision.SKIPPED, Names.tableName(e.getKey()), null, envelope));
                } else {
                    selected.add(e.getKey());
                }
            }
        }

        Map<String, List<CompiledTable>> byName = new LinkedHashMap<>();
        for (String schemaName : selected) {
            CompiledTable table = table(schemaName, components.get(schemaName));
            if (table != null) {
                byName.computeIfAbsent(table.name(), n -> new ArrayList<>()).add(table);
            }
        }
        List<CompiledTable> tables = new ArrayList<>();
        List<CompiledTable> losers = new ArrayList<>();
        for (Map.Entry<String, List<CompiledTable>> e : byName.entrySet()) {
            List<CompiledTable> claimants = new ArrayList<>(e.getValue());
            claimants.sort(NAME_PRECEDENCE);
            tables.add(claimants.get(0));
            for (CompiledTable loser : claimants.subList(1, claimants.size())) {
                String unshortened = Names.suffixedTableName(loser.source());
                String renamed = SqlIdentifiers.shorten(unshortened);
                if (strictNames) {
                    problems.add("component schemas '" + claimants.get(0).source() + "' and '" + loser.source()
                            + "' both map to table '" + e.getKey() + "' (refused: strict names; otherwise '"
                            + claimants.get(0).source() + "' keeps it and '" + loser.source() + "' becomes '" + renamed + "')");
                    continue;
                }
                losers.add(new CompiledTable(renamed, loser.source(), renamed.equals(unshortened) ? null : unshortened,
                        loser.columns()));
                naming.add(new NameDecision(loser.source(), NameDecision.RENAMED, e.getKey(), renamed, "'" + e.getKey()
                        + "' goes to '" + claimants.get(0).source() + "' (" + (Names.isSingular(claimants.get(0).source())
                        && !Names.isSingular(loser.source()) ? "the singular name wins" : "first in code-point order")
                        + "); the suffix is a hash of '" + loser.source() + "', stable across spec versions"));
            }
        }
        for (CompiledTable renamed : losers) {
            if (byName.containsKey(renamed.name()) || losers.stream().filter(t -> t.name().equals(renamed.name())).count() > 1) {
                problems.add("component schema '" + renamed.source() + "' loses its table name and cannot be renamed: '"
                        + renamed.name() + "' is taken too; name the schemas to compile with objects");
            } else {
                tables.add(renamed);
            }
        }
        if (!problems.isEmpty()) {
            throw new CompileException(problems);
        }
        tables.sort(Comparator.comparing(CompiledTable::name));
        naming.sort(Comparator.comparing(NameDecision::schema).thenComparing(NameDecision::decision));
        return new CompiledModel(List.copyOf(tables), naming);
    }

    /**
     * Which of several schemas that map to one table name keeps it: a singular schema name (pluralised to make the
     * table's, {@code File}) before a plural or uncountable one ({@code Files}), then code-point order of the names.
     * Only the names decide, never their order in the document, so the same spec always gives the same tables.
     */
    private static final Comparator<CompiledTable> NAME_PRECEDENCE = Comparator
            .comparing((CompiledTable t) -> !Names.isSingular(t.source()))
            .thenComparing(CompiledTable::source);

    /**
     * Property names (snake_case) that page through a collection rather than describe a resource: counts and
     * totals, offset/limit and page numbers, markers and cursors, links to other pages, and list markers such as
     * Stripe's {@code object: list}.
     */
    static final Set<String> PAGING_FIELDS = Set.of(
            "total_count", "total", "count", "total_results", "total_pages", "total_size",
            "limit", "offset", "order", "sort", "page", "page_size", "per_page", "page_count", "page_number",
            "items_per_page", "start_index", "start", "end",
            "marker", "next_marker", "prev_marker", "cursor", "next_cursor", "prev_cursor", "previous_cursor",
            "next_page_token", "page_token", "next_token", "continuation_token", "next_stream_position", "chunk_size",
            "has_more", "has_next", "next", "previous", "prev", "first", "last", "self",
            "url", "uri", "next_page_uri", "previous_page_uri", "first_page_uri", "next_page_url", "previous_page_url",
            "links", "meta", "object");

    /**
     * Why a schema is a collection envelope (and so not a table), or null when it is not one: exactly one property
     * is an array of another component object ({@code entries: [File]}, or a oneOf/anyOf of such), and every other
     * property, at least one, is a {@link #PAGING_FIELDS paging field}. The rows are the items' own table's.
     */
    private String envelope(String schemaName, Map<String, Schema> properties) {
        String array = null;
        String items = null;
        List<String> paging = new ArrayList<>();
        for (Map.Entry<String, Schema> p : properties.entrySet()) {
            if (PAGING_FIELDS.contains(Names.columnName(p.getKey()))) {
                paging.add(p.getKey());
                continue;
            }
            String of = array == null ? collectionOf(schemaName, p.getValue()) : null;
            if (of == null) {
                return null;
            }
            array = p.getKey();
            items = of;
        }
        if (array == null || paging.isEmpty()) {
            return null;
        }
        return "collection envelope of " + items + " (" + array + ", paged by " + String.join(", ", paging)
                + "): not a table, its items are rows of their own table";
    }

    /** The quoted component names an array property holds ({@code 'File'}), or null when it is no such array. */
    private String collectionOf(String self, Schema property) {
        Schema array = property;
        if (array != null && array.get$ref() != null) {
            String name = refName(array.get$ref());
            array = name == null ? null : components.get(name);
        }
        if (array == null || array.getItems() == null || !(types(array).isEmpty() || types(array).equals(Set.of("array")))) {
            return null;
        }
        Schema items = array.getItems();
        List<Schema> members = items.get$ref() != null ? List.of(items)
                : notEmpty(items.getOneOf()) ? items.getOneOf()
                : notEmpty(items.getAnyOf()) ? items.getAnyOf() : List.of();
        if (members.isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (Schema member : members) {
            String name = member.get$ref() == null ? null : refName(member.get$ref());
            if (name == null || name.equals(self) || !components.containsKey(name) || !isObject(components.get(name))) {
                return null;
            }
            names.add("'" + name + "'");
        }
        return String.join(", ", names);
    }

    private CompiledTable table(String schemaName, Schema schema) {
        String where = "components.schemas." + schemaName;
        String wanted = Names.tableName(schemaName);
        String tableName = identifier(wanted, where);
        if (tableName == null) {
            return null;
        }
        Map<String, Schema> properties = properties(schemaName, schema);
        Map<String, String> columnSources = new LinkedHashMap<>();
        List<CompiledColumn> columns = new ArrayList<>();
        boolean ok = true;
        // id first, whatever its position in the spec: it is the primary key
        List<String> order = new ArrayList<>(properties.keySet());
        order.remove("id");
        if (!properties.containsKey("id")) {
            columns.add(new CompiledColumn("id", "text", false, true, null, null));
            columnSources.put("id", "(key added by Shadowshift)");
        } else {
            order.add(0, "id");
        }
        for (String property : order) {
            String at = where + ".properties." + property;
            String wantedColumn = Names.columnName(property);
            String columnName = identifier(wantedColumn, at);
            if (columnName == null) {
                ok = false;
                continue;
            }
            String clash = columnSources.putIfAbsent(columnName, property);
            if (clash != null) {
                problems.add(where + ": properties '" + clash + "' and '" + property + "' both map to column '" + columnName + "'");
                ok = false;
                continue;
            }
            String type = columnType(properties.get(property), at, new HashSet<>());
            boolean primaryKey = property.equals("id");
            if (primaryKey) {
                type = type.equals("bigint") ? "bigint" : "text";
            }
            columns.add(new CompiledColumn(columnName, type, !primaryKey, primaryKey, property,
                    columnName.equals(wantedColumn) ? null : wantedColumn));
        }
        if (columns.size() > MAX_COLUMNS) {
            problems.add(where + ": " + columns.size() + " columns; PostgreSQL allows at most " + MAX_COLUMNS + " per table");
            ok = false;
        }
        return ok ? new CompiledTable(tableName, schemaName, tableName.equals(wanted) ? null : wanted, List.copyOf(columns)) : null;
    }

    /** The name shortened to 63 bytes if need be, or null (with a problem recorded) when it cannot be a name at all. */
    private String identifier(String name, String where) {
        try {
            return SqlIdentifiers.shorten(name);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage());
            return null;
        }
    }

    /** Properties of an object schema in spec order, allOf members merged in their order, $refs followed. */
    private Map<String, Schema> properties(String where, Schema schema) {
        Map<String, Schema> merged = new LinkedHashMap<>();
        collectProperties(where, schema, merged, new HashSet<>());
        return merged;
    }

    private void collectProperties(String where, Schema schema, Map<String, Schema> into, Set<String> visiting) {
        if (schema == null) {
            return;
        }
        if (schema.get$ref() != null) {
            String name = refName(schema.get$ref());
            if (name == null || !visiting.add(name)) {
                return; // a cycle through allOf adds nothing new
            }
            Schema target = components.get(name);
            if (target == null) {
                problems.add(where + ": unresolved $ref '" + schema.get$ref() + "'");
                return;
            }
            collectProperties(where, target, into, visiting);
            return;
        }
        if (schema.getAllOf() != null) {
            for (Object member : schema.getAllOf()) {
                collectProperties(where, (Schema) member, into, visiting);
            }
        }
        if (schema.getProperties() != null) {
            Map<String, Schema> own = schema.getProperties();
            own.forEach(into::putIfAbsent);
            own.forEach(into::put); // a later definition of the same property wins, at its first position
        }
    }

    private boolean isObject(Schema schema) {
        Schema s = schema;
        Set<String> seen = new HashSet<>();
        while (s != null && s.get$ref() != null) {
            String name = refName(s.get$ref());
            if (name == null || !seen.add(name)) {
                return false;
            }
            s = components.get(name);
        }
        if (s == null) {
            return false;
        }
        Set<String> types = types(s);
        if (!types.isEmpty()) {
            return types.equals(Set.of("object"));
        }
        return (s.getProperties() != null && !s.getProperties().isEmpty()) || (s.getAllOf() != null && !s.getAllOf().isEmpty());
    }

    private String columnType(Schema schema, String where, Set<String> seenRefs) {
        if (schema == null) {
            return "jsonb";
        }
        if (schema.get$ref() != null) {
            String name = refName(schema.get$ref());
            if (name == null) {
                return "jsonb"; // a pointer into another schema: the parser has resolved it, its shape is not a table's concern
            }
            Schema target = components.get(name);
            if (target == null) {
                problems.add(where + ": unresolved $ref '" + schema.get$ref() + "'");
                return "jsonb";
            }
            if (!seenRefs.add(name)) {
                return "jsonb";
            }
            String resolved = columnType(target, where, seenRefs);
            return isScalar(resolved) ? resolved : "jsonb";
        }
        if (notEmpty(schema.getAnyOf()) || notEmpty(schema.getOneOf()) || notEmpty(schema.getAllOf())) {
            return "jsonb";
        }
        Set<String> types = types(schema);
        if (types.isEmpty()) {
            // OpenAPI 3.1 allows a bare const (or enum) without a type: the values say what the column holds
            String fromValues = valueType(schema);
            if (fromValues != null) {
                return fromValues;
            }
        }
        if (types.size() != 1) {
            return "jsonb"; // untyped, or a union of types
        }
        return switch (types.iterator().next()) {
            case "string" -> "text";
            case "integer" -> "bigint";
            case "number" -> "numeric";
            case "boolean" -> "boolean";
            case "array" -> "text".equals(itemType(schema.getItems(), where, seenRefs)) ? "text[]" : "jsonb";
            default -> "jsonb";
        };
    }

    /** The column type that every const/enum value fits, or null when there are none or they disagree. */
    private static String valueType(Schema schema) {
        List<Object> values = new ArrayList<>();
        if (schema.getConst() != null) {
            values.add(schema.getConst());
        }
        if (schema.getEnum() != null) {
            for (Object v : schema.getEnum()) {
                if (v != null) {
                    values.add(v);
                }
            }
        }
        String type = null;
        for (Object v : values) {
            String t = v instanceof String ? "text"
                    : v instanceof Boolean ? "boolean"
                    : v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger ? "bigint"
                    : v instanceof Number ? "numeric" : null;
            if (t == null || (type != null && !type.equals(t))) {
                return null;
            }
            type = t;
        }
        return type;
    }

    private String itemType(Schema items, String where, Set<String> seenRefs) {
        return items == null ? null : columnType(items, where + ".items", seenRefs);
    }

    private static boolean isScalar(String type) {
        return type.equals("text") || type.equals("bigint") || type.equals("numeric") || type.equals("boolean");
    }

    /** The declared types without "null": OpenAPI 3.1 type arrays and 3.0 single types alike. */
    private static Set<String> types(Schema schema) {
        Set<String> types = new LinkedHashSet<>();
        if (schema.getTypes() != null) {
            for (Object t : schema.getTypes()) {
                types.add(String.valueOf(t));
            }
        }
        if (schema.getType() != null) {
            types.add(schema.getType());
        }
        types.remove("null");
        return types;
    }

    private static boolean notEmpty(List<?> list) {
        return list != null && !list.isEmpty();
    }

    /** The component name of a local schema reference, or null for any other kind of reference. */
    private static String refName(String ref) {
        if (ref.startsWith(COMPONENT_REF)) {
            String name = ref.substring(COMPONENT_REF.length());
            return name.contains("/") ? null : unescapePointer(name);
        }
        return null;
    }

    private static String unescapePointer(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }
}
