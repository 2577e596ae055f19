package dev.airlock.planner.reach;

import dev.airlock.planner.RealData;
import dev.airlock.planner.domain.ComponentRef;
import dev.airlock.planner.domain.Exploitability;
import dev.airlock.planner.domain.Purl;
import dev.airlock.planner.domain.Sbom;
import dev.airlock.planner.domain.ServiceGraph;
import dev.airlock.planner.intake.IntakeDocument;
import dev.airlock.planner.intake.IntakeJson;
import dev.airlock.planner.intake.IntakeParser;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReachabilityAnalyzerTest {

    static final ComponentRef LOG4J = new ComponentRef(Purl.parse(RealData.LOG4J_CORE).orElseThrow());

    static Sbom sbom(String name) throws Exception {
        return ((IntakeDocument.CycloneDx) IntakeParser.parse(RealData.bytes(RealData.SBOM),
                new IntakeParser.Hints(name, null), IntakeJson.DEFAULT_MAX_BYTES)).sbom();
    }

    static ServiceGraph.Service svc(String name, String exposure, String criticality, String sbom, String... calls) {
        return new ServiceGraph.Service(name, exposure, criticality, List.of(calls), sbom, name, null);
    }

    static final ServiceGraph SHOP = new ServiceGraph("shop", List.of(
            svc("api-gateway", "internet", "high", null, "payments-api"),
            svc("payments-api", "internal", "high", "payments-sbom", "ledger"),
            svc("ledger", "internal", "critical", null),
            svc("reporting-batch", "internal", "standard", "batch-sbom", "ledger")));

    @Test
    void pathRunsFromTheInternetThroughCallsIntoTheSbomGraph() throws Exception {
        ReachabilityAnalyzer a = new ReachabilityAnalyzer(List.of(SHOP), List.of(sbom("payments-sbom")));
        ReachabilityResult r = a.analyze(LOG4J, "payments-sbom");
        assertTrue(r.reachable());
        assertTrue(r.known());
        assertEquals(List.of("internet", "api-gateway", "payments-api", RealData.GEODE_CORE, RealData.LOG4J_CORE),
                r.path());
        assertEquals("payments-api", r.service().name());
        assertEquals(RealData.SBOM_ROOT, r.product());
    }

    @Test
    void unreachableOnlyWithAProof() throws Exception {
        ReachabilityAnalyzer a = new ReachabilityAnalyzer(List.of(SHOP), List.of(sbom("batch-sbom")));
        ReachabilityResult r = a.analyze(LOG4J, "batch-sbom");
        assertFalse(r.reachable());
        assertTrue(r.known());
        assertEquals(List.of(), r.path());
        assertEquals("reporting-batch", r.service().name());
        assertTrue(r.reasoning().get(1).contains("service reporting-batch ships SBOM batch-sbom but no"
                + " internet-exposed service reaches it"), r.reasoning().toString());
        Tiering.Decision d = Tiering.decide(r, new Exploitability(true, "0.97", "act"));
        assertEquals("T0", d.tier(), "unreachable wins over exploitability");
    }

    @Test
    void unknownCountsAsReachable() throws Exception {
        // no service graph
        ReachabilityResult noGraph = new ReachabilityAnalyzer(List.of(), List.of(sbom("s"))).analyze(LOG4J, null);
        assertTrue(noGraph.reachable());
        assertFalse(noGraph.known());
        assertTrue(noGraph.reasoning().get(0).contains("no service graph: unknown → reachable"));
        // component in no SBOM
        ReachabilityResult absent = new ReachabilityAnalyzer(List.of(SHOP), List.of(sbom("payments-sbom")))
                .analyze(new ComponentRef(Purl.parse("pkg:maven/jackson-databind@2.11.4").orElseThrow()), null);
        assertTrue(absent.reachable());
        assertEquals(List.of("unknown", "pkg:maven/jackson-databind@2.11.4"), absent.path());
        // an SBOM nobody ships
        ReachabilityResult orphan = new ReachabilityAnalyzer(List.of(SHOP), List.of(sbom("nobody-ships-this")))
                .analyze(LOG4J, null);
        assertTrue(orphan.reachable());
        assertFalse(orphan.known());
        assertTrue(orphan.reasoning().get(0).contains("shipped by no service"));
    }

    @Test
    void namespaceLessComponentMatchesByNameAndVersion() throws Exception {
        ReachabilityAnalyzer a = new ReachabilityAnalyzer(List.of(SHOP), List.of(sbom("payments-sbom")));
        ReachabilityResult r = a.analyze(new ComponentRef(Purl.parse("pkg:maven/jackson-databind@2.9.2")
                .orElseThrow()), null);
        assertEquals(List.of("internet", "api-gateway", "payments-api",
                "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.2"), r.path());
    }

    @Test
    void tiers() {
        ServiceGraph.Service critical = svc("p", "internal", "critical", null);
        ServiceGraph.Service standard = svc("q", "internal", "standard", null);
        ReachabilityResult onCritical = new ReachabilityResult(true, true, List.of("internet", "p"), critical, null,
                null, List.of("reachable"));
        ReachabilityResult onStandard = new ReachabilityResult(true, true, List.of("internet", "q"), standard, null,
                null, List.of("reachable"));
        ReachabilityResult unknown = new ReachabilityResult(true, false, List.of("unknown"), null, null, null,
                List.of("unknown → reachable"));
        assertEquals("T3", Tiering.decide(onCritical, new Exploitability(true, null, null)).tier());
        assertEquals("T3", Tiering.decide(onCritical, new Exploitability(null, "0.5", null)).tier());
        assertEquals("T3", Tiering.decide(onCritical, new Exploitability(null, null, "act")).tier());
        assertEquals("T1", Tiering.decide(onCritical, new Exploitability(false, "0.49", "attend")).tier());
        assertEquals("T2", Tiering.decide(onStandard, new Exploitability(true, null, null)).tier());
        assertEquals("T1", Tiering.decide(onStandard, Exploitability.UNKNOWN).tier());
        assertEquals("T3", Tiering.decide(unknown, new Exploitability(null, "0.9", null)).tier(),
                "an unknown service counts as critical");
        Tiering.Decision d = Tiering.decide(onStandard, new Exploitability(true, "0.97", null));
        assertEquals(List.of("reachable", "exploitability: listed in CISA KEV; EPSS 0.97 ≥ 0.5; SSVC unknown",
                "service q criticality standard", "rule: reachable ∧ exploitable → T2"), d.reasoning());
    }
}
