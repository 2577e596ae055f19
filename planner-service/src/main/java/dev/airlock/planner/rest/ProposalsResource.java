package dev.airlock.planner.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.json.StrictJson;
import dev.airlock.planner.config.PlannerConfig;
import dev.airlock.planner.intake.IntakeException;
import dev.airlock.planner.intake.IntakeJson;
import dev.airlock.planner.repository.ProposalEntity;
import dev.airlock.planner.service.ApiException;
import dev.airlock.planner.service.ProposalService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Proposals: {@code GET /api/proposals[?status=PUBLISHED&tier=T2&finding=ID]}, {@code GET /api/proposals/{capsuleId}}
 * (with the exact value published on airlock.proposals.v1), and {@code POST /api/proposals} for external agents:
 * <pre>
 * {"finding": "&lt;id or fingerprint&gt;", "repository": "payments-api", "environment": "prod-enclave-1",
 *  "patch": "&lt;unified diff&gt;", "validation": [{"name": "build", "argv": ["mvn", "-q", "-o", "verify"],
 *  "timeoutSeconds": 900}], "agent": "renovate", "note": "optional"}
 * </pre>
 * 201 with the proposal; 400 MALFORMED (with the JSON pointer) for a bad body or a diff that is not a unified diff;
 * 422 with the admission reason code when the diff does not apply to the mirror or leaves the scope
 * ({@code SCOPE_VIOLATION}), a command is not allowed ({@code COMMAND_NOT_ALLOWED}), the tier cannot be authorized
 * ({@code TIER_NOT_AUTHORIZABLE}), ...
 */
@Path("/api/proposals")
@Produces(MediaType.APPLICATION_JSON)
public class ProposalsResource {

    private static final Set<String> FIELDS = Set.of("finding", "repository", "environment", "patch", "validation",
            "agent", "note");
    private static final Pattern IDENT = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$");

    @Inject
    ProposalService proposals;
    @Inject
    PlannerConfig config;

    @GET
    public Uni<List<Views.ProposalSummary>> list(@QueryParam("status") String status, @QueryParam("tier") String tier,
                                                 @QueryParam("finding") Long finding) {
        StringBuilder q = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (status != null) {
            q.append(" and status = :status");
            params.put("status", status);
        }
        if (tier != null) {
            q.append(" and tier = :tier");
            params.put("tier", tier);
        }
        if (finding != null) {
            q.append(" and findingId = :finding");
            params.put("finding", finding);
        }
        q.append(" order by id");
        return Panache.withSession(() -> ProposalEntity.<ProposalEntity>list(q.toString(), params)
                .map(list -> list.stream().map(Views.ProposalSummary::of).toList()));
    }

    @GET
    @Path("/{capsuleId}")
    public Uni<Views.ProposalDetail> get(@PathParam("capsuleId") String capsuleId) {
        return Panache.withSession(() -> ProposalEntity.<ProposalEntity>find("capsuleId", capsuleId).firstResult())
                .onItem().ifNull().failWith(() -> ApiException.notFound("proposal " + capsuleId))
                .map(p -> {
                    try {
                        return new Views.ProposalDetail(Views.ProposalSummary.of(p),
                                p.value == null ? null : StrictJson.mapper().readTree(p.value));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> post(byte[] body) {
        Request r;
        try {
            r = parse(body);
        } catch (IntakeException e) {
            return Uni.createFrom().failure(ApiException.of(e));
        }
        return proposals.proposeExternal(r.finding, r.repository, r.environment, r.patch, r.validation, r.agent,
                        r.note)
                .map(p -> p == null
                        ? Response.status(409).entity(new Views.Error("CHANGED", "the finding changed while the"
                        + " proposal was checked; try again", null)).build()
                        : Response.status(201).entity(Views.ProposalSummary.of(p)).build());
    }

    private record Request(String finding, String repository, String environment, String patch,
                           List<Capsule.ValidationStep> validation, String agent, String note) {
    }

    private Request parse(byte[] body) throws IntakeException {
        ObjectNode o = IntakeJson.read(body, config.maxDocumentBytes());
        for (var it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw IntakeException.malformed("/" + IntakeJson.escape(f), "unknown field");
            }
        }
        String finding = text(o, "finding", true);
        String repository = ident(o, "repository", true);
        String environment = ident(o, "environment", true);
        String patch = text(o, "patch", true);
        String agent = ident(o, "agent", false);
        String note = text(o, "note", false);
        JsonNode v = o.get("validation");
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw IntakeException.malformed("/validation", "a non-empty array of {name, argv, timeoutSeconds}");
        }
        List<Capsule.ValidationStep> steps = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode s = v.get(i);
            String at = "/validation/" + i;
            if (!s.isObject()) {
                throw IntakeException.malformed(at, "must be an object");
            }
            for (var it = s.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!Set.of("name", "argv", "timeoutSeconds").contains(f)) {
                    throw IntakeException.malformed(at + "/" + IntakeJson.escape(f), "unknown field");
                }
            }
            JsonNode argv = s.get("argv");
            if (argv == null || !argv.isArray()) {
                throw IntakeException.malformed(at + "/argv", "must be an array of strings");
            }
            List<String> args = new ArrayList<>();
            for (int j = 0; j < argv.size(); j++) {
                if (!argv.get(j).isTextual()) {
                    throw IntakeException.malformed(at + "/argv/" + j, "must be a string");
                }
                args.add(argv.get(j).textValue());
            }
            JsonNode t = s.get("timeoutSeconds");
            if (t == null || !t.isIntegralNumber() || !t.canConvertToInt()) {
                throw IntakeException.malformed(at + "/timeoutSeconds", "must be an integer");
            }
            JsonNode name = s.get("name");
            if (name == null || !name.isTextual()) {
                throw IntakeException.malformed(at + "/name", "must be a string");
            }
            try {
                steps.add(new Capsule.ValidationStep(name.textValue(), args, t.intValue()));
            } catch (IllegalArgumentException e) {
                throw IntakeException.malformed(at, e.getMessage());
            }
        }
        return new Request(finding, repository, environment, patch, steps, agent == null ? "external" : agent, note);
    }

    private static String text(ObjectNode o, String field, boolean required) throws IntakeException {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw IntakeException.malformed("/" + field, "required string is missing");
            }
            return null;
        }
        if (!v.isTextual() || v.textValue().isEmpty()) {
            throw IntakeException.malformed("/" + field, "must be a non-empty string");
        }
        return v.textValue();
    }

    private static String ident(ObjectNode o, String field, boolean required) throws IntakeException {
        String v = text(o, field, required);
        if (v != null && !IDENT.matcher(v).matches()) {
            throw IntakeException.malformed("/" + field, "must be 1-128 characters of letters, digits and ._:@/+-");
        }
        return v;
    }
}
