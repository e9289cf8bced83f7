package dev.shadowshift.schema.spec;

import io.swagger.v3.oas.models.OpenAPI;

import java.util.List;

/**
 * A submitted document that parsed as OpenAPI.
 *
 * @param format   "json" or "yaml"
 * @param version  the declared version: the {@code openapi} value, or "2.0" for Swagger
 * @param warnings what swagger-parser noticed but could live with (real-world specs have small defects)
 */
public record ParsedSpec(OpenAPI openApi, String format, String version, List<String> warnings) {
}
