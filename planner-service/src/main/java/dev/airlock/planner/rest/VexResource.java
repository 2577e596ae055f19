package dev.airlock.planner.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.json.StrictJson;
import dev.airlock.planner.config.PlannerConfig;
import dev.airlock.planner.repository.FindingEntity;
import dev.airlock.planner.repository.ReachabilityEntity;
import dev.airlock.planner.repository.TierDecisionEntity;
import dev.airlock.planner.service.JsonText;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/vex}: every open T0 finding as an OpenVEX v0.2.0 statement (https://github.com/openvex/spec):
 * status {@code not_affected}, justification {@code vulnerable_code_not_in_execute_path}, the service that ships the
 * component as product ({@code urn:airlock:service:<name>}, its SBOM's root purl as identifier) with the component as
 * subcomponent, and the reachability proof as the impact statement. The document id
 * is derived from its statements, so the same facts give the same document.
 */
@Path("/api/vex")
public class VexResource {

    public static final String CONTEXT = "https://openvex.dev/ns/v0.2.0";
    public static final String MEDIA_TYPE = "application/openvex+json";

    @Inject
    PlannerConfig config;
    @Inject
    Clock clock;

    @GET
    @Produces({MEDIA_TYPE, "application/json"})
    public Uni<String> vex() {
        return Panache.withSession(() -> FindingEntity.<FindingEntity>list("tier = 'T0' and status = 'OPEN' order by id")
                .chain(findings -> ReachabilityEntity.<ReachabilityEntity>list("reachable = false").chain(reaches ->
                        TierDecisionEntity.<TierDecisionEntity>list("tier = 'T0' order by id").map(decisions ->
                                document(findings, reaches, decisions)))));
    }

    private String document(List<FindingEntity> findings, List<ReachabilityEntity> reaches,
                            List<TierDecisionEntity> decisions) {
        Map<Long, ReachabilityEntity> reach = new HashMap<>();
        reaches.forEach(r -> reach.put(r.findingId, r));
        Map<Long, Instant> decided = new HashMap<>();
        decisions.forEach(d -> decided.put(d.findingId, d.decidedAt));
        ArrayNode statements = StrictJson.mapper().createArrayNode();
        Instant latest = null;
        for (FindingEntity f : findings) {
            ReachabilityEntity r = reach.get(f.id);
            if (r == null || f.componentPurl == null) {
                continue;
            }
            Instant at = decided.getOrDefault(f.id, f.updatedAt);
            latest = latest == null || at.isAfter(latest) ? at : latest;
            ObjectNode s = statements.addObject();
            ObjectNode vuln = s.putObject("vulnerability");
            String name = f.cve != null ? f.cve : f.vulnerabilityId;
            vuln.put("name", name);
            Set<String> aliases = new LinkedHashSet<>();
            aliases.add(f.vulnerabilityId);
            aliases.addAll(JsonText.list(f.aliases));
            aliases.remove(name);
            if (!aliases.isEmpty()) {
                ArrayNode a = vuln.putArray("aliases");
                aliases.forEach(a::add);
            }
            s.put("timestamp", StrictJson.formatInstant(at));
            // The deployment is what is not affected (the same artifact may be affected where another service ships
            // it), so the product is the service; the artifact's purl is its identifier.
            ObjectNode product = s.putArray("products").addObject();
            product.put("@id", r.service != null ? "urn:airlock:service:" + r.service
                    : r.product != null ? r.product : "urn:airlock:finding:" + f.fingerprint);
            if (r.product != null && r.product.startsWith("pkg:")) {
                product.putObject("identifiers").put("purl", r.product);
            }
            product.putArray("subcomponents").addObject().put("@id", f.componentPurl);
            s.put("status", "not_affected");
            s.put("justification", "vulnerable_code_not_in_execute_path");
            s.put("impact_statement", String.join("; ", JsonText.list(r.reasoning)));
        }
        ObjectNode doc = StrictJson.mapper().createObjectNode();
        doc.put("@context", CONTEXT);
        doc.put("@id", "urn:airlock:vex:" + Hex.sha256Hex(StrictJson.write(statements)));
        doc.put("author", config.source());
        doc.put("role", "Airlock planner (reachability analysis)");
        doc.put("timestamp", StrictJson.formatInstant(latest != null ? latest : clock.instant()));
        doc.put("version", 1);
        doc.put("tooling", "airlock planner-service");
        doc.set("statements", statements);
        return new String(StrictJson.writePretty(doc), java.nio.charset.StandardCharsets.UTF_8);
    }
}
