package dev.airlock.planner;

import dev.airlock.core.events.Topics;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * The test system: the real SBOM shipped by three services of a small service graph (written for these tests), the
 * real Grype SARIF, the two real log4j OSV entries (sent on airlock.findings.v1), and CISA KEV / EPSS facts for
 * Log4Shell. Taking it in again changes nothing, so every test may call {@link #ingest}.
 *
 * <pre>
 *   internet → api-gateway → payments-api (critical; ships payments-api-sbom; repository payments-api)
 *   internet → search-api (standard; ships search-api-sbom; repository search-api)
 *   reporting-batch (internal, called by nobody; ships reporting-batch-sbom)
 * </pre>
 */
public final class Scenario {

    public static final String GRAPH = """
            {"schema": "airlock.service-graph/v1", "name": "shop", "services": [
              {"name": "api-gateway", "exposure": "internet", "criticality": "high", "calls": ["payments-api"]},
              {"name": "payments-api", "exposure": "internal", "criticality": "critical",
               "sbom": "payments-api-sbom", "repository": "payments-api", "environment": "prod-enclave-1"},
              {"name": "search-api", "exposure": "internet", "criticality": "standard",
               "sbom": "search-api-sbom", "repository": "search-api", "environment": "prod-enclave-1"},
              {"name": "reporting-batch", "exposure": "internal", "criticality": "standard",
               "sbom": "reporting-batch-sbom", "repository": "reporting-batch"}
            ]}""";

    /** Log4Shell is in CISA's KEV catalog (added 2021-12-10); its EPSS has been about 0.97 since. */
    public static final String EXPLOITABILITY = """
            {"schema": "airlock.exploitability/v1", "entries": [
              {"id": "CVE-2021-44228", "kev": true, "epss": "0.97", "ssvc": "act"}]}""";

    public static final String PAYMENTS_SBOM = "payments-api-sbom";
    public static final String SEARCH_SBOM = "search-api-sbom";
    public static final String BATCH_SBOM = "reporting-batch-sbom";

    private Scenario() {
    }

    public static JsonPath post(byte[] body, Map<String, String> query) {
        return given().contentType(ContentType.JSON).queryParams(query).body(body)
                .post("/api/intake").then().statusCode(201).extract().jsonPath();
    }

    public static JsonPath post(String body) {
        return post(body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** Takes the whole scenario in; returns once the OSV findings sent over Kafka are stored and tiered. */
    public static void ingest(KafkaTestClient kafka) {
        post(EXPLOITABILITY);
        post(GRAPH);
        String sbom = new String(RealData.bytes(RealData.SBOM), StandardCharsets.UTF_8);
        post("{\"schema\":\"airlock.intake/v1\",\"kind\":\"cyclonedx\",\"name\":\"" + PAYMENTS_SBOM
                + "\",\"document\":" + sbom + "}");
        post(RealData.bytes(RealData.SBOM), Map.of("name", SEARCH_SBOM));
        post(RealData.bytes(RealData.SBOM), Map.of("name", BATCH_SBOM));
        post(RealData.bytes(RealData.SARIF), Map.of());
        kafka.send(Topics.FINDINGS, "GHSA-jfh8-c2jp-5v3q", RealData.bytes(RealData.OSV_LOG4SHELL));
        kafka.send(Topics.FINDINGS, "GHSA-7rjr-3q55-vv33", RealData.bytes(RealData.OSV_45046));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                osvFindings().size() == 6);
    }

    public static List<Map<String, Object>> osvFindings() {
        return given().get("/api/findings?source=osv").then().statusCode(200).extract().jsonPath().getList("$");
    }

    /** The OSV finding of {@code advisory} in {@code sbom}. */
    public static Map<String, Object> finding(String advisory, String sbom) {
        return osvFindings().stream().filter(f -> advisory.equals(f.get("vulnerability")) && sbom.equals(f.get("sbom")))
                .findFirst().orElseThrow(() -> new AssertionError("no finding " + advisory + " in " + sbom));
    }
}
