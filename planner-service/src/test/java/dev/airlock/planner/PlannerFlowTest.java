package dev.airlock.planner;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.events.Topics;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.patch.PatchApplier;
import dev.airlock.core.patch.UnifiedDiff;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.scope.Workspace;
import dev.airlock.core.testing.TestPki;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.Verdict;
import dev.airlock.planner.config.PlannerConfig;
import dev.airlock.testsupport.kafka.InjectKafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBroker;
import dev.airlock.testsupport.kafka.KafkaBrokerResource;
import dev.airlock.testsupport.kafka.KafkaTestClient;
import dev.airlock.testsupport.postgres.InjectPostgres;
import dev.airlock.testsupport.postgres.PostgresResource;
import dev.airlock.testsupport.postgres.PostgresServer;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The planner end to end on the real public files, with a real broker and a real PostgreSQL: components, tiers and
 * reachability paths; the dependency-bump fleet's capsule for Log4Shell, approved with TestPki keys and admitted by
 * the verification engine {@code airlock capsule verify} runs; T0 never on the proposals topic; OpenVEX for T0.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerResource.class, initArgs = @ResourceArg(name = KafkaBrokerResource.TOPICS,
        value = Topics.FINDINGS + "," + Topics.PROPOSALS + "," + Topics.POLICY_SIGNED))
@WithTestResource(PostgresResource.class)
@WithTestResource(PlannerFixture.class)
class PlannerFlowTest {

    static final String LOG4SHELL = "GHSA-jfh8-c2jp-5v3q";
    static final String CVE_45046 = "GHSA-7rjr-3q55-vv33";

    @InjectKafkaBroker
    KafkaBroker broker;
    @InjectPostgres
    PostgresServer db;
    @Inject
    PlannerConfig config;

    @Test
    void realFilesGiveComponentsTiersAndPaths() {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            Scenario.ingest(kafka);
        }
        List<Map<String, Object>> components = given().get("/api/sboms/" + Scenario.PAYMENTS_SBOM + "/components")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertEquals(26, components.size());
        assertTrue(components.stream().anyMatch(c -> (RealData.LOG4J_CORE + "?type=jar").equals(c.get("bomRef"))
                && RealData.LOG4J_CORE.equals(c.get("purl"))));

        Map<String, Object> payments = Scenario.finding(LOG4SHELL, Scenario.PAYMENTS_SBOM);
        assertEquals("T3", payments.get("tier"));
        assertEquals(List.of("internet", "api-gateway", "payments-api", RealData.GEODE_CORE, RealData.LOG4J_CORE),
                payments.get("path"));
        assertEquals(RealData.LOG4J_CORE, payments.get("component"));
        assertEquals("2.12.2", payments.get("fixedVersion"));
        assertEquals("CVE-2021-44228", payments.get("cve"));

        Map<String, Object> search = Scenario.finding(LOG4SHELL, Scenario.SEARCH_SBOM);
        assertEquals("T2", search.get("tier"), "exploitable and reachable, on a standard service");
        assertEquals(List.of("internet", "search-api", RealData.GEODE_CORE, RealData.LOG4J_CORE), search.get("path"));

        assertEquals("T1", Scenario.finding(CVE_45046, Scenario.PAYMENTS_SBOM).get("tier"),
                "reachable, nothing known about exploitation");
        for (String advisory : List.of(LOG4SHELL, CVE_45046)) {
            Map<String, Object> batch = Scenario.finding(advisory, Scenario.BATCH_SBOM);
            assertEquals("T0", batch.get("tier"));
            assertEquals(false, batch.get("reachable"));
            assertEquals(List.of(), batch.get("path"));
        }

        JsonPath detail = given().get("/api/findings/" + payments.get("fingerprint")).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(true, detail.getBoolean("reachability.known"));
        assertEquals("payments-api", detail.getString("reachability.service"));
        assertEquals(LOG4SHELL, detail.getString("vulnerability"));
        assertEquals(List.of("CVE-2021-44228"), detail.getList("aliases"));
        assertEquals(List.of("reachable: internet → api-gateway → payments-api → " + RealData.GEODE_CORE + " → "
                        + RealData.LOG4J_CORE,
                "exploitability: listed in CISA KEV; EPSS 0.97 ≥ 0.5; SSVC act",
                "service payments-api criticality critical",
                "rule: reachable ∧ exploitable ∧ critical service → T3"), detail.getList("tierReasoning"));
        assertEquals(true, detail.getBoolean("exploitability.kev"));

        JsonPath batch = given().get("/api/findings/" + Scenario.finding(LOG4SHELL, Scenario.BATCH_SBOM).get("id"))
                .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("no path from an internet-exposed entrypoint reaches " + RealData.LOG4J_CORE,
                "service reporting-batch ships SBOM reporting-batch-sbom but no internet-exposed service reaches it"
                        + " through calls (entrypoints: api-gateway, search-api)", "rule: unreachable → T0"),
                batch.getList("tierReasoning"));

        // the Grype SARIF: 22 results, none in a known SBOM, so unknown → reachable
        List<Map<String, Object>> sarif = given().get("/api/findings?source=sarif").then().statusCode(200).extract()
                .jsonPath().getList("$");
        List<Map<String, Object>> grype = sarif.stream().filter(f -> f.get("component") != null).toList();
        assertEquals(22, grype.size());
        Map<String, Object> jackson = grype.stream()
                .filter(f -> "GHSA-57j2-w4cx-62h2".equals(f.get("vulnerability"))).findFirst().orElseThrow();
        assertEquals("T1", jackson.get("tier"));
        assertEquals(List.of("unknown", "pkg:maven/jackson-databind@2.11.4"), jackson.get("path"));
        assertEquals("2.12.6.1", jackson.get("fixedVersion"));
        JsonPath jd = given().get("/api/findings/" + jackson.get("id")).then().statusCode(200).extract().jsonPath();
        assertEquals("pkg:maven/jackson-databind@2.11.4 is not in any known SBOM: unknown → reachable",
                jd.getList("reachability.reasoning").get(0));
        assertEquals("GHSA-57j2-w4cx-62h2-jackson-databind", jd.getString("sarif.ruleId"));
        assertEquals("lib/jackson-databind-2.11.4.jar",
                jd.getString("sarif.locations[0].physicalLocation.artifactLocation.uri"));

        List<Map<String, Object>> t0 = given().get("/api/findings?tier=T0").then().statusCode(200).extract()
                .jsonPath().getList("$");
        assertEquals(Set.of(Scenario.BATCH_SBOM), t0.stream().map(f -> f.get("sbom")).collect(Collectors.toSet()));
    }

    @Test
    void log4shellBecomesACapsuleThatIsAdmittedOnceApproved() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            Scenario.ingest(kafka);
            String fingerprint = (String) Scenario.finding(LOG4SHELL, Scenario.PAYMENTS_SBOM).get("fingerprint");
            ConsumerRecord<String, byte[]> record = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500)).until(() -> proposalFor(kafka, fingerprint),
                            r -> r != null);
            JsonNode value = StrictJson.mapper().readTree(record.value());
            assertEquals("airlock.proposal/v1", value.get("schema").asText());
            assertEquals("T3", value.get("tier").asText());
            // the finding was proposed at its tier: the planner will not propose it again on its own
            assertEquals("T3", given().get("/api/findings/" + fingerprint).then().statusCode(200).extract().jsonPath()
                    .getString("proposedTier"));
            assertEquals("airlock.proposal/v1", KafkaTestClient.header(record, Topics.CE_TYPE).orElseThrow());
            assertEquals(List.of("internet", "api-gateway", "payments-api", RealData.GEODE_CORE, RealData.LOG4J_CORE),
                    StrictJson.mapper().convertValue(value.get("reachability").get("path"), List.class));
            assertEquals("rule: reachable ∧ exploitable ∧ critical service → T3",
                    value.get("tierReasoning").get(3).asText());

            Envelope envelope = Envelope.fromTree(value.get("capsule"));
            Capsule capsule = StrictJson.read(envelope.payloadBytes(), Capsule.class, StrictJson.SIGNED);
            assertEquals(record.key(), capsule.capsuleId());
            assertEquals('7', capsule.capsuleId().charAt(14), "UUIDv7");
            assertEquals("payments-api:CVE-2021-44228", capsule.lineage());
            assertEquals(1, capsule.sequence());
            assertEquals("fleet.dependency-bump", capsule.proposer());
            assertEquals(TestPki.PROD, capsule.environment());
            assertEquals("apply", capsule.mode());
            assertEquals(1, capsule.policyVersion());
            assertEquals(TestPki.NOW, capsule.createdAt());
            assertEquals("2.12.2", capsule.finding().fixedVersion());
            assertEquals(true, capsule.finding().exploitability().kev());
            assertEquals(List.of("mvn", "-q", "-o", "verify"), capsule.validation().get(0).argv());
            Path mirror = config.repositories().get("payments-api");
            assertEquals(PlannerFixture.git(mirror, "rev-parse", "HEAD"), capsule.target().baseRevision());

            // the patch applies exactly to the mirror and gives the manifest's after-hash; only the version changed
            byte[] before = Files.readAllBytes(mirror.resolve("pom.xml"));
            assertEquals(List.of(new Capsule.FileChange("pom.xml", Workspace.sha256(before),
                    capsule.manifest().files().get(0).after())), capsule.manifest().files());
            byte[] after = PatchApplier.apply(before, UnifiedDiff.parse(capsule.change().patch()).files().get(0));
            assertEquals(capsule.manifest().files().get(0).after(), Workspace.sha256(after));
            assertArrayEquals(PlannerFixture.PAYMENTS_POM.replace("<log4j.version>2.6.1</log4j.version>",
                    "<log4j.version>2.12.2</log4j.version>").getBytes(StandardCharsets.UTF_8), after);

            // approve as the T3 tier demands and verify exactly as `airlock capsule verify` does
            TestPki pki = new TestPki();
            TrustedPolicy policy = TestPki.trust(Files.readAllBytes(config.initialPolicy().orElseThrow()));
            VerificationEngine engine = new VerificationEngine(TestPki.clock());
            byte[] twoOfThree = TestPki.bundle(envelope, pki.approve(envelope, "alice", "service-owner"),
                    pki.approve(envelope, "bob", "security-officer"));
            Verdict short1 = engine.verify(twoOfThree, TestPki.PROD, policy, new InMemoryLedger());
            assertEquals(ReasonCode.THRESHOLD_NOT_MET, short1.reason());
            byte[] signed = TestPki.bundle(envelope, pki.approve(envelope, "alice", "service-owner"),
                    pki.approve(envelope, "bob", "security-officer"),
                    pki.approve(envelope, "carol", "authorizing-official"));
            Verdict verdict = engine.verify(signed, TestPki.PROD, policy, new InMemoryLedger());
            assertTrue(verdict.isAdmitted(), verdict.toJson());
            assertEquals(capsule.capsuleId(), verdict.capsuleId());

            JsonPath stored = given().get("/api/proposals/" + capsule.capsuleId()).then().statusCode(200).extract()
                    .jsonPath();
            assertEquals("PUBLISHED", stored.getString("proposal.status"));
            assertEquals(envelope.payloadDigest(), stored.getString("proposal.capsuleDigest"));
        }
    }

    @Test
    void t0NeverReachesTheQueueAndIsExportedAsOpenVex() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            Scenario.ingest(kafka);
            // wait until the fleet has decided every due finding
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    count("SELECT count(*) FROM findings WHERE status = 'OPEN' AND tier <> 'T0'"
                            + " AND proposed_tier IS DISTINCT FROM tier") == 0);
            Set<String> t0 = Set.of((String) Scenario.finding(LOG4SHELL, Scenario.BATCH_SBOM).get("fingerprint"),
                    (String) Scenario.finding(CVE_45046, Scenario.BATCH_SBOM).get("fingerprint"));
            List<ConsumerRecord<String, byte[]>> published = kafka.readAll(Topics.PROPOSALS);
            assertFalse(published.isEmpty());
            for (ConsumerRecord<String, byte[]> r : published) {
                JsonNode v = StrictJson.mapper().readTree(r.value());
                if (!v.has("capsule")) {
                    continue; // not a proposal (another test's publisher check)
                }
                assertFalse("T0".equals(v.get("tier").asText()), "a T0 proposal was published: " + r.key());
                assertFalse(t0.contains(v.get("findingId").asText()), "a T0 finding was proposed: " + r.key());
            }
            assertEquals(0, count("SELECT count(*) FROM proposals p JOIN findings f ON f.id = p.finding_id"
                    + " WHERE f.tier = 'T0'"));
            // the search-api repository declares log4j outside the environment's scope: refused before signing
            List<Map<String, Object>> refused = given().get("/api/proposals?status=REFUSED").then().statusCode(200)
                    .extract().jsonPath().getList("$");
            Object searchId = Scenario.finding(LOG4SHELL, Scenario.SEARCH_SBOM).get("id");
            Map<String, Object> scope = refused.stream().filter(p -> searchId.equals(p.get("findingId")))
                    .findFirst().orElseThrow();
            assertEquals("SCOPE_VIOLATION", scope.get("reasonCode"));
            assertTrue(String.valueOf(scope.get("detail")).contains("modules/search/pom.xml"));
            assertEquals(0, count("SELECT count(*) FROM proposals WHERE finding_id = " + searchId
                    + " AND status <> 'REFUSED'"));
        }

        JsonPath vex = given().get("/api/vex").then().statusCode(200).extract().jsonPath();
        assertEquals("https://openvex.dev/ns/v0.2.0", vex.getString("'@context'"));
        assertTrue(vex.getString("'@id'").startsWith("urn:airlock:vex:"));
        assertEquals(1, vex.getInt("version"));
        List<Map<String, Object>> statements = vex.getList("statements");
        assertEquals(2, statements.size());
        assertEquals(Set.of("CVE-2021-44228", "CVE-2021-45046"), statements.stream()
                .map(s -> ((Map<?, ?>) s.get("vulnerability")).get("name")).collect(Collectors.toSet()));
        for (Map<String, Object> s : statements) {
            assertEquals("not_affected", s.get("status"));
            assertEquals("vulnerable_code_not_in_execute_path", s.get("justification"));
            Map<?, ?> product = (Map<?, ?>) ((List<?>) s.get("products")).get(0);
            assertEquals("urn:airlock:service:reporting-batch", product.get("@id"));
            assertEquals(RealData.SBOM_ROOT, ((Map<?, ?>) product.get("identifiers")).get("purl"));
            assertEquals(RealData.LOG4J_CORE, ((Map<?, ?>) ((List<?>) product.get("subcomponents")).get(0))
                    .get("@id"));
            assertTrue(String.valueOf(s.get("impact_statement")).contains("reporting-batch"));
        }
    }

    @Test
    void reIngestingTheSameFindingsChangesNothing() throws Exception {
        try (KafkaTestClient kafka = new KafkaTestClient(broker)) {
            Scenario.ingest(kafka);
        }
        long findings = count("SELECT count(*) FROM findings");
        long decisions = count("SELECT count(*) FROM tier_decisions");
        long proposals = count("SELECT count(*) FROM proposals");
        JsonPath first = Scenario.post(RealData.bytes(RealData.SARIF), Map.of());
        JsonPath again = Scenario.post(RealData.bytes(RealData.SARIF), Map.of());
        assertEquals(22, again.getList("findings").size());
        assertEquals(first.getList("findings.id"), again.getList("findings.id"));
        assertEquals(first.getList("findings.fingerprint"), again.getList("findings.fingerprint"));
        Scenario.post(Scenario.GRAPH);
        Scenario.post(RealData.bytes(RealData.SBOM), Map.of("name", Scenario.BATCH_SBOM));
        assertEquals(findings, count("SELECT count(*) FROM findings"));
        assertEquals(decisions, count("SELECT count(*) FROM tier_decisions"));
        assertEquals(proposals, count("SELECT count(*) FROM proposals"));
        assertEquals(22, count("SELECT count(*) FROM findings WHERE tool = 'Grype'"));
    }

    ConsumerRecord<String, byte[]> proposalFor(KafkaTestClient kafka, String fingerprint) throws Exception {
        for (ConsumerRecord<String, byte[]> r : kafka.readAll(Topics.PROPOSALS)) {
            JsonNode v = StrictJson.mapper().readTree(r.value());
            if (v.has("findingId") && fingerprint.equals(v.get("findingId").asText())
                    && v.get("capsule") != null) {
                return r;
            }
        }
        return null;
    }

    long count(String sql) throws Exception {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }
}
