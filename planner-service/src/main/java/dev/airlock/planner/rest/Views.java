package dev.airlock.planner.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.planner.repository.FindingEntity;
import dev.airlock.planner.repository.ProposalEntity;
import dev.airlock.planner.repository.ReachabilityEntity;
import dev.airlock.planner.repository.TierDecisionEntity;
import dev.airlock.planner.service.JsonText;

import java.time.Instant;
import java.util.List;

/** JSON shapes of the REST API (planner-service README, "REST"). */
public final class Views {
    private Views() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Reachability(boolean reachable, boolean known, List<String> path, String service, String sbom,
                               List<String> reasoning) {
        static Reachability of(ReachabilityEntity r) {
            return r == null ? null : new Reachability(r.reachable, r.known, JsonText.list(r.path), r.service,
                    r.sbomName, JsonText.list(r.reasoning));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FindingSummary(long id, String fingerprint, String source, String vulnerability, String cve,
                                 String component, String sbom, String fixedVersion, String status, String tier,
                                 Boolean reachable, List<String> path) {
        static FindingSummary of(FindingEntity f, ReachabilityEntity r) {
            return new FindingSummary(f.id, f.fingerprint, f.source, f.vulnerabilityId, f.cve, f.componentPurl,
                    f.sbomName, f.fixedVersion, f.status, f.tier, r == null ? null : r.reachable,
                    r == null ? null : JsonText.list(r.path));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Exploitability(Boolean kev, String epss, String ssvc) {
    }

    public record TierChange(String tier, Instant decidedAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FindingDetail(long id, String fingerprint, String source, String vulnerability, String cve,
                                List<String> aliases, String ruleId, String tool, String title, String severity,
                                String component, String sbom, String fixedVersion, String status, String tier,
                                String proposedTier, Reachability reachability, List<String> tierReasoning,
                                Exploitability exploitability, List<TierChange> tierHistory, JsonNode sarif,
                                List<ProposalSummary> proposals, Instant firstSeen, Instant lastSeen) {
        static FindingDetail of(FindingEntity f, ReachabilityEntity r, List<TierDecisionEntity> decisions,
                                List<ProposalEntity> proposals) {
            TierDecisionEntity last = decisions.isEmpty() ? null : decisions.get(decisions.size() - 1);
            return new FindingDetail(f.id, f.fingerprint, f.source, f.vulnerabilityId, f.cve, JsonText.list(f.aliases),
                    f.ruleId, f.tool, f.title, f.severity, f.componentPurl, f.sbomName, f.fixedVersion, f.status,
                    f.tier, f.proposedTier, Reachability.of(r),
                    last == null ? List.of() : JsonText.list(last.reasoning),
                    last == null ? null : new Exploitability(last.kev, last.epss, last.ssvc),
                    decisions.stream().map(d -> new TierChange(d.tier, d.decidedAt)).toList(),
                    JsonText.tree(f.sarif), proposals.stream().map(ProposalSummary::of).toList(), f.firstSeen,
                    f.lastSeen);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProposalSummary(long id, String capsuleId, long findingId, String fleet, String lineage,
                                  Long sequence, String tier, String environment, String repository, String status,
                                  String reasonCode, String detail, String summary, String capsuleDigest,
                                  Instant createdAt, Instant publishedAt) {
        static ProposalSummary of(ProposalEntity p) {
            return new ProposalSummary(p.id, p.capsuleId, p.findingId, p.fleet, p.lineage, p.sequence, p.tier,
                    p.environment, p.repository, p.status, p.reasonCode, p.detail, p.summary, p.capsuleDigest,
                    p.createdAt, p.publishedAt);
        }
    }

    /** A proposal with the exact value published on airlock.proposals.v1. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProposalDetail(@JsonProperty("proposal") ProposalSummary summary, JsonNode value) {
    }

    public record Error(String reason, String detail, String pointer) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IntakeResult(String kind, String digest, boolean duplicate, int components, int services,
                               List<FindingSummary> findings) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SbomView(String name, String serialNumber, String specVersion, String rootPurl, long components,
                           Instant ingestedAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ComponentView(String bomRef, String purl, String scope) {
    }
}
