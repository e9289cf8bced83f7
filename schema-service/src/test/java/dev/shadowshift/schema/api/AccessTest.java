package dev.shadowshift.schema.api;

import dev.shadowshift.security.Roles;
import dev.shadowshift.testkit.AccessRules;
import dev.shadowshift.testkit.AccessRules.Call;
import dev.shadowshift.testkit.ShadowshiftTestResource;
import dev.shadowshift.testkit.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;

/** Who may register a spec and ask for a dry run, against the running service. */
@QuarkusTest
@WithTestResource(ShadowshiftTestResource.class)
class AccessTest {

    static final String SPEC = """
            {"openapi": "3.0.3", "info": {"title": "acl", "version": "1"}, "paths": {},
             "components": {"schemas": {"pet": {"type": "object", "properties": {"id": {"type": "string"}}}}}}""";

    @Test
    void registeringNeedsThePublisherRole() {
        Call register = Call.post("/subjects/acl/versions?schema=acl", "application/json", SPEC);
        AccessRules.assertNeedsRole(Roles.PUBLISHER, register);
        AccessRules.assertRefusesSimpleBodies(Roles.PUBLISHER, register);
        TestTokens.as(Roles.PUBLISHER).contentType("application/json").body(SPEC).post("/subjects/acl/versions?schema=acl")
                .then().statusCode(201);
    }

    @Test
    void aDryRunNeedsAnyRoleAndReadsAreOpenByDefault() {
        given().contentType("application/json").body(SPEC).post("/subjects/acl-dry/diff?schema=acl_dry").then().statusCode(401);
        TestTokens.as(Roles.VIEWER).contentType("application/json").body(SPEC).post("/subjects/acl-dry/diff?schema=acl_dry")
                .then().statusCode(200);
        TestTokens.as(Roles.VIEWER).contentType("text/plain").body(SPEC).post("/subjects/acl-dry/diff").then().statusCode(415);
        given().get("/subjects").then().statusCode(200);
    }

    @Test
    void probesAndMetricsAreOpenAndNameNoAddress() {
        AccessRules.assertProbesOpenAndQuiet();
    }
}
