package dev.airlock.planner.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.patch.DiffWriter;
import dev.airlock.core.scope.RepoPath;
import dev.airlock.planner.PlannerFixture;
import dev.airlock.planner.Scenario;
import dev.airlock.planner.config.PlannerConfig;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** External agents POST a unified diff; the planner checks it applies and stays in scope before signing. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Topics.FINDINGS + "," + Topics.PROPOSALS + "," + Topics.POLICY_SIGNED))
@WithTestResource(PostgresResource.class)
@WithTestResource(PlannerFixture.class)
class ExternalProposalTest {

    @InjectKafkaBroker
    KafkaBroker broker;
    @Inject
    PlannerConfig config;

    String finding;
    String pomPatch;

    @BeforeEach
    void scenario() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            Scenario.ingest(kafka);
        }
        finding = String.valueOf(Scenario.finding("GHSA-7rjr-3q55-vv33", Scenario.PAYMENTS_SBOM).get("id"));
        byte[] pom = Files.readAllBytes(config.repositories().get("payments-api").resolve("pom.xml"));
        pomPatch = DiffWriter.unifiedDiff(RepoPath.of("pom.xml"), pom, new String(pom, StandardCharsets.UTF_8)
                .replace(">2.6.1<", ">2.17.1<").getBytes(StandardCharsets.UTF_8), 3);
    }

    ObjectNode request(String patch, List<String> argv) {
        ObjectNode r = StrictJson.mapper().createObjectNode();
        r.put("finding", finding);
        r.put("repository", "payments-api");
        r.put("environment", "prod-enclave-1");
        r.put("patch", patch);
        ObjectNode step = r.putArray("validation").addObject();
        step.put("name", "build");
        step.putArray("argv").addAll(argv.stream().map(a -> StrictJson.mapper().getNodeFactory().textNode(a))
                .toList());
        step.put("timeoutSeconds", 600);
        r.put("agent", "upgrade-bot");
        return r;
    }

    @Test
    void aDiffThatAppliesAndStaysInScopeIsSignedAndPublished() throws Exception {
        JsonPath p = given().contentType(ContentType.JSON).body(request(pomPatch, List.of("mvn", "-q", "-o", "verify"))
                .toString()).post("/api/proposals").then().statusCode(201).extract().jsonPath();
        assertEquals("PUBLISHED", p.getString("status"));
        assertEquals("payments-api:CVE-2021-45046", p.getString("lineage"));
        assertEquals("T1", p.getString("tier"));
        assertEquals("external:upgrade-bot", p.getString("fleet"));
        String capsuleId = p.getString("capsuleId");
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            ConsumerRecord<String, byte[]> record = kafka.readAll(Topics.PROPOSALS).stream()
                    .filter(r -> capsuleId.equals(r.key())).findFirst().orElseThrow();
            JsonNode value = StrictJson.mapper().readTree(record.value());
            Capsule c = StrictJson.read(Envelope.fromTree(value.get("capsule")).payloadBytes(), Capsule.class,
                    StrictJson.SIGNED);
            assertEquals(pomPatch, c.change().patch());
            assertEquals(List.of("mvn", "-q", "-o", "verify"), c.validation().get(0).argv());
            assertEquals(p.getLong("sequence"), c.sequence());
        }
    }

    @Test
    void refusalsCarryTheReasonCodeAndSignNothing() {
        int before = given().get("/api/proposals?finding=" + finding).then().statusCode(200).extract().jsonPath()
                .getList("$").size();
        String secret = "diff --git a/secrets/token b/secrets/token\nnew file mode 100644\n--- /dev/null\n"
                + "+++ b/secrets/token\n@@ -0,0 +1 @@\n+hunter2\n";
        post(request(secret, List.of("mvn", "-q", "-o", "verify")), 422, "SCOPE_VIOLATION", "secrets/token");
        String stale = pomPatch.replace("<!-- geode-core", "<!-- Geode-core"); // a context line the mirror lacks
        post(request(stale, List.of("mvn", "-q", "-o", "verify")), 422, "SCOPE_VIOLATION", "does not apply");
        post(request(pomPatch, List.of("sh", "-c", "mvn -q -o verify")), 422, "COMMAND_NOT_ALLOWED", "sh");
        post(request(pomPatch, List.of("mvn", "-q", "verify")), 422, "COMMAND_NOT_ALLOWED", "mvn");
        post(request("this is not a diff\n", List.of("mvn", "-q", "-o", "verify")), 400, "MALFORMED", null);
        ObjectNode t0 = request(pomPatch, List.of("mvn", "-q", "-o", "verify"));
        t0.put("finding", String.valueOf(Scenario.finding("GHSA-jfh8-c2jp-5v3q", Scenario.BATCH_SBOM).get("id")));
        post(t0, 422, "TIER_NOT_AUTHORIZABLE", "never proposed");
        ObjectNode missing = request(pomPatch, List.of("mvn", "-q", "-o", "verify"));
        missing.remove("patch");
        given().contentType(ContentType.JSON).body(missing.toString()).post("/api/proposals").then().statusCode(400)
                .body("pointer", equalTo("/patch"));
        int after = given().get("/api/proposals?finding=" + finding).then().statusCode(200).extract().jsonPath()
                .getList("$").size();
        assertEquals(before, after, "nothing was signed or stored for a refused request");
    }

    private static void post(ObjectNode body, int status, String reason, String detail) {
        var then = given().contentType(ContentType.JSON).body(body.toString()).post("/api/proposals").then()
                .statusCode(status);
        if (reason != null) {
            then.body("reason", equalTo(reason));
        }
        if (detail != null) {
            then.body("detail", containsString(detail));
        }
    }
}
