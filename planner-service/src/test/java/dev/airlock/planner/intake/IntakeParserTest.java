package dev.airlock.planner.intake;

import dev.airlock.core.verify.ReasonCode;
import dev.airlock.planner.RealData;
import dev.airlock.planner.domain.FindingInput;
import dev.airlock.planner.domain.OsvAdvisory;
import dev.airlock.planner.domain.Purl;
import dev.airlock.planner.domain.Sbom;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntakeParserTest {

    static IntakeDocument parse(byte[] bytes) throws IntakeException {
        return IntakeParser.parse(bytes, IntakeParser.Hints.NONE, IntakeJson.DEFAULT_MAX_BYTES);
    }

    static IntakeException refused(String json) {
        return assertThrows(IntakeException.class, () -> parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void grypeSarifGivesOneFindingPerResultWithComponentAndFix() throws Exception {
        IntakeDocument.Sarif sarif = assertInstanceOf(IntakeDocument.Sarif.class,
                parse(RealData.bytes(RealData.SARIF)));
        assertEquals("Grype", sarif.tool());
        assertEquals(22, sarif.findings().size());
        assertEquals(22, sarif.findings().stream().map(FindingInput::fingerprint).distinct().count());
        Map<String, FindingInput> byRule = sarif.findings().stream()
                .collect(Collectors.toMap(FindingInput::ruleId, f -> f));

        FindingInput ghsa = byRule.get("GHSA-57j2-w4cx-62h2-jackson-databind");
        assertEquals("GHSA-57j2-w4cx-62h2", ghsa.vulnerabilityId());
        assertEquals("pkg:maven/jackson-databind@2.11.4", ghsa.component().label());
        assertNull(ghsa.component().purl().namespace(), "Grype names the jar, not its groupId");
        assertEquals("2.12.6.1", ghsa.fixedVersion());
        assertEquals("7.5", ghsa.severity());

        FindingInput cve = byRule.get("CVE-2020-36518-jackson-databind");
        assertEquals("CVE-2020-36518", cve.vulnerabilityId());
        assertEquals("CVE-2020-36518", cve.cve());
        assertNull(cve.fixedVersion(), "Grype's 'Fix Version:' is empty for this rule");
        // the scanner's own words are kept: locations and message, no level (Grype writes none)
        assertTrue(cve.sarif().contains("\"uri\":\"lib/jackson-databind-2.11.4.jar\""), cve.sarif());
        assertFalse(cve.sarif().contains("\"level\""));

        FindingInput spec = byRule.get("CVE-2008-0732-geronimo-javamail_1.4_spec");
        assertEquals("pkg:maven/geronimo-javamail_1.4_spec@1.7.1", spec.component().label());
    }

    @Test
    void fingerprintsAreStableAcrossParses() throws Exception {
        List<String> a = ((IntakeDocument.Sarif) parse(RealData.bytes(RealData.SARIF))).findings().stream()
                .map(FindingInput::fingerprint).toList();
        List<String> b = ((IntakeDocument.Sarif) parse(RealData.bytes(RealData.SARIF))).findings().stream()
                .map(FindingInput::fingerprint).toList();
        assertEquals(a, b);
    }

    @Test
    void partialFingerprintsIdentifyAResultAcrossLocations() throws Exception {
        String one = "{\"ruleId\":\"java/log4shell\",\"message\":{\"text\":\"x\"},\"partialFingerprints\":"
                + "{\"primaryLocationLineHash\":\"abc:1\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":"
                + "{\"uri\":\"a.java\"}}}]}";
        String moved = one.replace("a.java", "b.java");
        assertEquals(((IntakeDocument.Sarif) parse(one.getBytes(StandardCharsets.UTF_8))).findings().get(0)
                        .fingerprint(),
                ((IntakeDocument.Sarif) parse(moved.getBytes(StandardCharsets.UTF_8))).findings().get(0)
                        .fingerprint());
    }

    @Test
    void realSbomKeepsComponentsAndDependencyGraph() throws Exception {
        Sbom sbom = ((IntakeDocument.CycloneDx) IntakeParser.parse(RealData.bytes(RealData.SBOM),
                new IntakeParser.Hints("payments-api-sbom", null), IntakeJson.DEFAULT_MAX_BYTES)).sbom();
        assertEquals("payments-api-sbom", sbom.name());
        assertEquals("urn:uuid:bd968e3a-d967-4305-9f9a-29e33cc67c7b", sbom.serialNumber());
        assertEquals(26, sbom.components().size());
        assertEquals(27, sbom.dependsOn().size());
        assertEquals(RealData.SBOM_ROOT, sbom.rootPurl().toString());
        Sbom.InnerPath path = sbom.pathTo("pkg:maven/org.apache.logging.log4j/log4j-core@2.6.1?type=jar");
        assertEquals(Sbom.InnerPath.Status.REACHED, path.status());
        assertEquals(List.of("pkg:maven/org.apache.geode/geode-core@1.1.1?type=jar",
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.6.1?type=jar"), path.refs());
    }

    @Test
    void sbomWithoutNameOrSerialIsRefused() {
        IntakeException e = refused("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"components\":[]}");
        assertEquals("/serialNumber", e.pointer());
    }

    @Test
    void osvRangesGiveTheFixAboveTheAffectedVersion() throws Exception {
        OsvAdvisory log4shell = ((IntakeDocument.Osv) parse(RealData.bytes(RealData.OSV_LOG4SHELL))).advisory();
        assertEquals("CVE-2021-44228", log4shell.cveOrId());
        Purl core = Purl.parse(RealData.LOG4J_CORE).orElseThrow();
        assertEquals("2.12.2", log4shell.match(core).orElseThrow().fixedVersion());
        assertEquals("2.15.0", log4shell.match(core.withVersion("2.14.1")).orElseThrow().fixedVersion());
        assertEquals("2.3.1", log4shell.match(core.withVersion("2.0-beta9")).orElseThrow().fixedVersion());
        assertTrue(log4shell.match(core.withVersion("2.15.0")).isEmpty());
        assertTrue(log4shell.match(core.withVersion("2.12.2")).isEmpty());
        assertTrue(log4shell.match(Purl.parse("pkg:maven/org.apache.logging.log4j/log4j-api@2.6.1").orElseThrow())
                .isEmpty(), "log4j-api is not named by the advisory");

        OsvAdvisory incomplete = ((IntakeDocument.Osv) parse(RealData.bytes(RealData.OSV_45046))).advisory();
        assertEquals("2.16.0", incomplete.match(core.withVersion("2.15.0")).orElseThrow().fixedVersion());
        assertEquals("2.12.2", incomplete.match(core).orElseThrow().fixedVersion());
    }

    @Test
    void duplicateKeyIsRefusedWithItsPointer() {
        IntakeException e = refused("{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"a\","
                + "\"name\":\"b\"}}}]}");
        assertEquals(ReasonCode.MALFORMED, e.reason());
        assertEquals("/runs/0/tool/driver/name", e.pointer());
    }

    @Test
    void resultWithoutRuleIsRefusedWithItsPointer() {
        String sarif = new String(RealData.bytes(RealData.SARIF), StandardCharsets.UTF_8)
                .replaceFirst("\"ruleId\": \"CVE-2008-0732-geronimo-jms_1.1_spec\",", "");
        IntakeException e = assertThrows(IntakeException.class, () -> parse(sarif.getBytes(StandardCharsets.UTF_8)));
        assertEquals("/runs/0/results/4/ruleId", e.pointer());
    }

    @Test
    void danglingDependencyIsRefusedWithItsPointer() {
        String sbom = new String(RealData.bytes(RealData.SBOM), StandardCharsets.UTF_8)
                .replace("\n        \"pkg:maven/org.codehaus.plexus/plexus-utils@3.0.22?type=jar\",",
                        "\n        \"pkg:maven/org.example/not-in-the-bom@1.0?type=jar\",");
        IntakeException e = assertThrows(IntakeException.class, () -> IntakeParser.parse(
                sbom.getBytes(StandardCharsets.UTF_8), new IntakeParser.Hints("x", null), IntakeJson.DEFAULT_MAX_BYTES));
        assertEquals("/dependencies/2/dependsOn/0", e.pointer());
    }

    @Test
    void osvEventWithTwoBoundsIsRefusedWithItsPointer() {
        IntakeException e = refused("{\"id\":\"GHSA-x\",\"modified\":\"2022-01-01T00:00:00Z\",\"affected\":[{"
                + "\"package\":{\"ecosystem\":\"Maven\",\"name\":\"a:b\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
                + "\"events\":[{\"introduced\":\"0\"},{\"introduced\":\"1\",\"fixed\":\"2\"}]}]}]}");
        assertEquals("/affected/0/ranges/0/events/1", e.pointer());
    }

    @Test
    void wrapperRefusesUnknownFieldsAndKinds() {
        assertEquals("/extra", refused("{\"schema\":\"airlock.intake/v1\",\"kind\":\"osv\",\"document\":{},"
                + "\"extra\":1}").pointer());
        assertEquals("/kind", refused("{\"schema\":\"airlock.intake/v1\",\"kind\":\"spdx\",\"document\":{}}")
                .pointer());
        assertEquals("/document/id", refused("{\"schema\":\"airlock.intake/v1\",\"kind\":\"osv\",\"document\":"
                + "{\"modified\":\"x\"}}").pointer());
    }

    @Test
    void serviceGraphRefusesCallsToUnknownServices() {
        IntakeException e = refused("{\"schema\":\"airlock.service-graph/v1\",\"name\":\"g\",\"services\":["
                + "{\"name\":\"a\",\"exposure\":\"internet\",\"calls\":[\"b\"]}]}");
        assertEquals("/services/0/calls/0", e.pointer());
        assertEquals("/services/0/exposure", refused("{\"schema\":\"airlock.service-graph/v1\",\"name\":\"g\","
                + "\"services\":[{\"name\":\"a\",\"exposure\":\"public\"}]}").pointer());
    }

    @Test
    void storageHostileStringsAndNonJsonAreRefused() {
        assertEquals("/id", refused("{\"id\":\"a\\u0000b\",\"modified\":\"x\"}").pointer());
        assertEquals("/id", refused("{\"id\":\"\\ud800\",\"modified\":\"x\"}").pointer());
        assertEquals("", refused("[1,2]").pointer());
        assertEquals("", refused("{\"id\":\"a\",\"modified\":\"b\"} trailing").pointer());
        assertEquals("", refused("{\"hello\":\"world\"}").pointer());
        assertEquals("/schema", refused("{\"schema\":\"airlock.capsule/v1\"}").pointer());
        assertEquals("/entries/0/epss", refused("{\"schema\":\"airlock.exploitability/v1\",\"entries\":[{\"id\":"
                + "\"CVE-1\",\"epss\":\"0.97x\"}]}").pointer());
    }
}
