package dev.airlock.planner.rest;

import dev.airlock.core.events.Topics;
import dev.airlock.planner.PlannerFixture;
import dev.airlock.planner.RealData;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.postgres.InjectPostgres;
import dev.airlock.testsupport.postgres.PostgresResource;
import dev.airlock.testsupport.postgres.PostgresServer;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A malformed document gets a 400 naming the JSON pointer of the problem, and nothing of it is stored. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Topics.FINDINGS + "," + Topics.PROPOSALS + "," + Topics.POLICY_SIGNED))
@WithTestResource(PostgresResource.class)
@WithTestResource(PlannerFixture.class)
class IntakeRefusalTest {

    static final List<String> TABLES = List.of("intake_documents", "findings", "sboms", "components",
            "component_dependencies", "service_graphs", "services", "advisories", "exploitability",
            "reachability_results", "tier_decisions", "proposals");

    @InjectPostgres
    PostgresServer db;

    @Test
    void realSarifWithOneBrokenResultIsRefusedWhole() throws Exception {
        List<Long> before = counts();
        String sarif = new String(RealData.bytes(RealData.SARIF), StandardCharsets.UTF_8)
                .replaceFirst("\"ruleId\": \"CVE-2008-0732-geronimo-jms_1.1_spec\",", "");
        refuse(sarif, "/runs/0/results/4/ruleId", 400, "MALFORMED");
        assertEquals(before, counts(), "the four good results before it were not stored either");
    }

    @Test
    void realSbomWithADanglingDependencyIsRefusedWhole() throws Exception {
        List<Long> before = counts();
        String sbom = new String(RealData.bytes(RealData.SBOM), StandardCharsets.UTF_8)
                .replace("\n        \"pkg:maven/org.codehaus.plexus/plexus-utils@3.0.22?type=jar\",",
                        "\n        \"pkg:maven/org.example/not-in-the-bom@1.0?type=jar\",");
        given().contentType(ContentType.JSON).queryParam("name", "refused-sbom").body(sbom).post("/api/intake")
                .then().statusCode(400).body("reason", equalTo("MALFORMED"))
                .body("pointer", equalTo("/dependencies/2/dependsOn/0"));
        assertEquals(before, counts());
    }

    @Test
    void otherRefusals() throws Exception {
        List<Long> before = counts();
        refuse("{\"schema\":\"airlock.service-graph/v1\",\"name\":\"g\",\"services\":[{\"name\":\"a\","
                + "\"exposure\":\"internet\",\"calls\":[\"nowhere\"]}]}", "/services/0/calls/0", 400, "MALFORMED");
        refuse("{\"schema\":\"airlock.intake/v1\",\"kind\":\"osv\",\"document\":{\"id\":\"GHSA-1\",\"id\":\"GHSA-2\","
                + "\"modified\":\"2022-01-01T00:00:00Z\"}}", "/document/id", 400, "MALFORMED");
        refuse("{\"schema\":\"airlock.exploitability/v1\",\"entries\":[{\"id\":\"CVE-2021-44228\",\"epss\":0.97}]}",
                "/entries/0/epss", 400, "MALFORMED");
        refuse("not json at all", "", 400, "MALFORMED");
        assertEquals(before, counts());
    }

    private static void refuse(String body, String pointer, int status, String reason) {
        given().contentType(ContentType.JSON).body(body).post("/api/intake").then().statusCode(status)
                .body("reason", equalTo(reason)).body("pointer", equalTo(pointer));
    }

    private List<Long> counts() throws Exception {
        List<Long> out = new ArrayList<>();
        try (Connection c = db.connect()) {
            for (String t : TABLES) {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + t)) {
                    assertTrue(rs.next());
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    @Test
    void metricsAreServedForPrometheus() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("# TYPE jvm_memory_used_bytes gauge"), "JVM metrics");
        assertTrue(metrics.contains("kafka_consumer_"), "Kafka client metrics");
    }
}
