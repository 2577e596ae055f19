package dev.airlock.deploy.demo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.events.Topics;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.EvidencePredicate;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.deploy.stack.KafkaSetup;
import dev.airlock.deploy.stack.Progress;
import dev.airlock.deploy.stack.Site;
import dev.airlock.deploy.stack.StackSettings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code airlock up --demo}: one remediation end to end through the running stack, every step through the interface
 * a real participant uses. A scanner's SARIF finding, the SBOM, the service graph and exploitability facts go to the
 * planner's intake; the planner tiers the finding and its dependency-bump fleet proposes a signed capsule; alice
 * approves through the approval page's own request (form login, the envelope signed with her key), bob with
 * {@code airlock capsule approve --post}; the approval service emits the signed capsule; it crosses the diode; the
 * gateway admits it, the runner applies and validates it, the evidence service logs the bundle; {@code airlock
 * evidence proof} checks its inclusion against a signed checkpoint. A second capsule, approved by both, has one byte
 * of its payload flipped in flight and must come back as a rejection with its reason.
 */
public final class Demo {
    static final String TICKET = "CHG0012345";
    private static final Duration WAIT = Duration.ofSeconds(240);

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Approver(String approver, String role, String via, String outcome) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Validation(String name, List<String> argv, Integer exitCode, boolean timedOut, long durationMs,
                             String stdout) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rollback(boolean rehearsed, Boolean restoredMatchesBefore, Boolean reappliedMatchesAfter) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Evidence(long logIndex, String leafHash, String signer, String proofVerdict, Long treeSize,
                           String rootHash, String checkpointTimestamp) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tampered(String capsuleId, String loggedAs, String flipped, String verdict, String reason,
                           String detail, String evidenceOutcome, Long logIndex, String signer) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(boolean ok, String failure, String capsuleId, String capsuleDigest, String tier,
                         List<String> reachability, String change, List<Approver> approvers, String admission,
                         Long policyVersion, List<Validation> validation, String outcome, String workspaceLog4j,
                         Rollback rollback, Evidence evidence, Tampered tampered, String approvalPage,
                         String evidenceDashboard, Map<String, Double> stepSeconds) {
    }

    private final StackSettings settings;
    private final Site site;
    private final Progress progress;
    private final Clock clock;
    private final String planner;
    private final String approval;
    private final String evidence;
    private final Map<String, Double> steps = new LinkedHashMap<>();
    private final Path runDir;

    // what the run learns, step by step (the report shows whatever was reached)
    private String capsuleId;
    private String capsuleDigest;
    private String tier;
    private List<String> path = List.of();
    private String change;
    private final List<Approver> approvers = new ArrayList<>();
    private Envelope capsuleEnvelope;
    private EvidencePredicate predicate;
    private String signer;
    private Evidence evidenceLine;
    private Tampered tampered;
    private String workspaceLog4j;

    public Demo(StackSettings settings, Site site, Progress progress, Clock clock) {
        this.settings = settings;
        this.site = site;
        this.progress = progress;
        this.clock = clock;
        this.planner = "http://127.0.0.1:" + settings.ports().planner();
        this.approval = "http://127.0.0.1:" + settings.ports().approval();
        this.evidence = "http://127.0.0.1:" + settings.ports().evidence();
        this.runDir = settings.demo().resolve("runs").resolve(clock.instant().truncatedTo(ChronoUnit.SECONDS)
                .toString().replace(":", ""));
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    /** Runs one step with its progress line; {@code describe} turns the result into the line's detail. */
    private <T> T step(String name, Step<T> body, java.util.function.Function<T, String> describe) throws DemoFailed {
        Instant t = clock.instant();
        try {
            T r = body.run();
            Duration took = Duration.between(t, clock.instant());
            steps.put(name, took.toMillis() / 1000.0);
            progress.step(name, "ok", took, describe.apply(r));
            return r;
        } catch (DemoFailed e) {
            steps.put(name, Duration.between(t, clock.instant()).toMillis() / 1000.0);
            progress.step(name, "FAILED", Duration.between(t, clock.instant()), e.getMessage());
            throw e;
        } catch (Exception e) {
            steps.put(name, Duration.between(t, clock.instant()).toMillis() / 1000.0);
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            progress.step(name, "FAILED", Duration.between(t, clock.instant()), m);
            throw new DemoFailed(name + ": " + m, e);
        }
    }

    static final class DemoFailed extends Exception {
        DemoFailed(String message) {
            super(message);
        }

        DemoFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public Report run() {
        progress.line("airlock up --demo: one remediation of payments-api (log4j-core 2.14.1, CVE-2021-44228) end to end");
        String failure = null;
        try {
            Files.createDirectories(runDir);
            flow();
        } catch (DemoFailed e) {
            failure = e.getMessage();
        } catch (IOException e) {
            failure = "cannot write " + runDir + ": " + e.getMessage();
        }
        Report r = report(failure);
        print(r);
        try {
            Files.write(runDir.resolve("report.json"), StrictJson.writePretty(r));
        } catch (IOException e) {
            progress.line("warning: cannot write %s: %s", runDir.resolve("report.json"), e.getMessage());
        }
        return r;
    }

    private void flow() throws DemoFailed {
        SampleRepo repo = new SampleRepo(settings.demo());
        String revision = step("sample", repo::ensure, rev -> String.format(Locale.ROOT,
                "%s at %s (log4j-core 2.14.1); enclave workspace %s reset to it", rel(repo.mirror()), rev.substring(0, 7),
                rel(repo.workspace())));
        Instant started = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        JsonNode finding = step("intake", this::intake, f -> String.format(Locale.ROOT,
                "service graph, KEV facts, CycloneDX SBOM, Grype SARIF → finding #%s %s in %s: tier %s, %s",
                f.path("id").asText(), f.path("cve").asText(f.path("vulnerability").asText()),
                f.path("component").asText(), f.path("tier").asText(), f.path("reachable").asBoolean(true)
                        ? "reachable" : "not reachable"));
        step("proposal", () -> proposal(finding, started), p -> String.format(Locale.ROOT,
                "capsule %s %s signed by %s: %s", capsuleId, tier, Site.FLEET, change));
        step("approve (page)", this::approveThroughThePage, a -> a);
        step("approve (cli)", this::approveThroughTheCli, a -> a);
        step("emitted", this::awaitEmitted, s -> s);
        step("evidence", this::awaitEvidence, s -> s);
        step("proof", this::proof, s -> s);
        step("tampered", this::tamper, s -> s);
        if (!"APPLIED".equals(predicate.outcome())) {
            throw new DemoFailed("the capsule's outcome is " + predicate.outcome() + ", not APPLIED");
        }
        if (revision.isEmpty()) {
            throw new DemoFailed("no revision");
        }
    }

    // ---- intake ----

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Demo.class.getResourceAsStream("/demo/intake/" + name)) {
            if (in == null) {
                throw new IOException("demo resource /demo/intake/" + name + " is missing from the build");
            }
            return in.readAllBytes();
        }
    }

    private JsonNode intake() throws Exception {
        Http h = Http.anonymous();
        post(h, planner + "/api/intake", resource("service-graph.json"));
        post(h, planner + "/api/intake", resource("exploitability.json"));
        post(h, planner + "/api/intake?name=" + SampleRepo.NAME, resource("cyclonedx-payments-api.json"));
        JsonNode sarif = post(h, planner + "/api/intake?sbom=" + SampleRepo.NAME, resource("grype-payments-api.sarif.json"));
        JsonNode findings = sarif.path("findings");
        if (findings.size() != 1) {
            throw new DemoFailed("the planner made " + findings.size() + " findings of the SARIF log, expected 1: " + sarif);
        }
        return findings.get(0);
    }

    private static JsonNode post(Http h, String uri, byte[] body) throws Exception {
        Http.Answer a = h.post(uri, body, "application/json");
        if (!a.ok()) {
            throw new DemoFailed("POST " + uri + " answered " + a.status() + ": " + a.body());
        }
        return a.json();
    }

    // ---- proposal ----

    /**
     * The planner proposes by itself when a finding is tiered; a finding proposed in an earlier demo run is proposed
     * again on request (the sample workspace was reset, so there is something to fix again).
     */
    private JsonNode proposal(JsonNode finding, Instant since) throws Exception {
        Http h = Http.anonymous();
        String id = finding.path("id").asText();
        Instant deadline = clock.instant().plus(WAIT);
        boolean asked = false;
        JsonNode chosen = null;
        while (chosen == null) {
            Http.Answer a = h.get(planner + "/api/findings/" + id);
            if (a.ok()) {
                boolean anyNew = false;
                for (JsonNode p : a.json().path("proposals")) {
                    Instant created = Instant.parse(p.path("createdAt").asText("1970-01-01T00:00:00Z"));
                    if (created.isBefore(since)) {
                        continue;
                    }
                    anyNew = true;
                    if ("PUBLISHED".equalsIgnoreCase(p.path("status").asText())) {
                        chosen = p;
                    } else if (p.hasNonNull("reasonCode")) {
                        throw new DemoFailed("the planner refused to propose: " + p.path("reasonCode").asText() + ": "
                                + p.path("detail").asText());
                    }
                }
                // Proposed by an earlier demo run, nothing new since: ask for a capsule for the reset workspace. The
                // planner proposes a finding on its own only while it has not been proposed at its current tier; when
                // it says so (proposedTier) the demo asks at once, otherwise after 10 s without a new proposal.
                String tier = a.json().path("tier").asText("");
                boolean proposedAtTier = !tier.isEmpty() && tier.equals(a.json().path("proposedTier").asText(null));
                if (!anyNew && !asked && a.json().path("proposals").size() > 0
                        && (proposedAtTier || clock.instant().isAfter(since.plusSeconds(10)))) {
                    Http.Answer r = h.post(planner + "/api/findings/" + id + "/propose", new byte[0], "application/json");
                    if (!r.ok()) {
                        throw new DemoFailed("POST /api/findings/" + id + "/propose answered " + r.status() + ": " + r.body());
                    }
                    asked = true;
                }
            }
            if (chosen == null) {
                pause(deadline, "the planner to publish a proposal for finding " + id);
            }
        }
        capsuleId = chosen.path("capsuleId").asText();
        Http.Answer d = h.get(planner + "/api/proposals/" + capsuleId);
        if (!d.ok()) {
            throw new DemoFailed("GET /api/proposals/" + capsuleId + " answered " + d.status());
        }
        JsonNode value = d.json().path("value");
        tier = value.path("tier").asText(chosen.path("tier").asText());
        List<String> p = new ArrayList<>();
        value.path("reachability").path("path").forEach(x -> p.add(x.asText()));
        path = p;
        capsuleEnvelope = Envelope.fromTree(value.path("capsule"));
        capsuleDigest = capsuleEnvelope.payloadDigest();
        Capsule c = StrictJson.read(capsuleEnvelope.payloadBytes(), Capsule.class, StrictJson.SIGNED);
        change = describeChange(c);
        Files.write(runDir.resolve("capsule.dsse.json"), capsuleEnvelope.toJson());
        return chosen;
    }

    static String describeChange(Capsule c) {
        Matcher from = Pattern.compile("(?m)^-\\s*<version>([^<]+)</version>").matcher(c.change().patch());
        Matcher to = Pattern.compile("(?m)^\\+\\s*<version>([^<]+)</version>").matcher(c.change().patch());
        String files = String.join(", ", c.manifest().files().stream().map(Capsule.FileChange::path).toList());
        String validation = String.join("; ", c.validation().stream().map(v -> String.join(" ", v.argv())).toList());
        return String.format(Locale.ROOT, "%s %s → %s in %s, validation '%s'",
                c.finding().component() == null ? "log4j-core" : c.finding().component().replaceAll("@.*", ""),
                from.find() ? from.group(1) : "?", to.find() ? to.group(1) : "?", files, validation);
    }

    // ---- approvals ----

    /**
     * alice approves the way the approval page does it: form login, the review page (whose data attributes give the
     * capsule digest the page signs), then the page's POST of the envelope. The signature is made here with her key
     * instead of by WebCrypto in a browser; the request is the same.
     */
    private String approveThroughThePage() throws Exception {
        awaitQueued();
        Http page = Http.formLogin(approval, Site.ALICE, site.password(Site.ALICE));
        Http.Answer review = page.get(approval + "/capsules/" + capsuleId);
        if (!review.ok()) {
            throw new DemoFailed("the review page /capsules/" + capsuleId + " answered " + review.status());
        }
        Matcher m = Pattern.compile("data-capsule-digest=\"([^\"]+)\"").matcher(review.body());
        if (!m.find()) {
            throw new DemoFailed("the review page shows no capsule digest to sign");
        }
        if (!m.group(1).equals(capsuleDigest)) {
            throw new DemoFailed("the review page shows digest " + m.group(1) + ", the planner published " + capsuleDigest);
        }
        Approval a = new Approval(Approval.SCHEMA, capsuleDigest, capsuleId, Site.ALICE, "service-owner",
                Approval.APPROVE, TICKET, clock.instant().truncatedTo(ChronoUnit.SECONDS), Approval.REVIEW);
        Envelope signed = Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(a), site.signingKey(Site.ALICE));
        Http.Answer r = page.post(approval + "/ui/capsules/" + capsuleId + "/decisions", signed.toJson(), "application/json");
        JsonNode j = r.json();
        if (!r.ok() || "refused".equals(j.path("outcome").asText())) {
            throw new DemoFailed("the approval page refused alice's approval: " + r.status() + " " + r.body());
        }
        approvers.add(new Approver(Site.ALICE, "service-owner", "approval page", j.path("outcome").asText()));
        return String.format(Locale.ROOT, "alice (service-owner) signed with her key, posted as the page does: %s, %s of %s",
                j.path("status").asText(), j.path("approvals").asText(), j.path("required").asText());
    }

    /** The capsule's status in the approval service's review ({@code summary.status}). */
    static String approvalStatus(JsonNode review) {
        return review.path("summary").path("status").asText(review.path("status").asText());
    }

    private void awaitQueued() throws Exception {
        Http h = Http.basic(Site.ALICE, site.password(Site.ALICE));
        Instant deadline = clock.instant().plus(WAIT);
        while (true) {
            Http.Answer a = h.get(approval + "/api/capsules/" + capsuleId);
            String status = a.ok() ? approvalStatus(a.json()) : "";
            if ("pending".equals(status)) {
                return;
            }
            if (!status.isEmpty()) {
                throw new DemoFailed("the approval service holds capsule " + capsuleId + " as " + status + ": "
                        + a.json().path("reason").asText() + " " + a.json().path("detail").asText());
            }
            pause(deadline, "the approval service to queue capsule " + capsuleId);
        }
    }

    /** bob approves with the command line: {@code airlock capsule approve … --post}, password from the environment. */
    private String approveThroughTheCli() throws Exception {
        Path capsuleFile = runDir.resolve("capsule.dsse.json");
        Path out = runDir.resolve("bob.approval.dsse.json");
        List<String> cmd = List.of(settings.root().resolve("airlock").toString(), "capsule", "approve",
                "--capsule", capsuleFile.toString(), "--policy", site.policyEnvelopeFile().toString(),
                "--key", site.privateKey(Site.BOB).toString(), "--approver", Site.BOB, "--role", "security-officer",
                "--ticket", TICKET, "--post", approval, "--out", out.toString());
        Cmd r = Cmd.run(cmd, Map.of("AIRLOCK_PASSWORD", site.password(Site.BOB)), runDir.resolve("bob.approve.log"));
        if (r.exit() != 0) {
            throw new DemoFailed("airlock capsule approve --post exited " + r.exit() + ": " + r.lastErrLine());
        }
        JsonNode j = Http.JSON.readTree(r.out()).path("server");
        approvers.add(new Approver(Site.BOB, "security-officer", "airlock CLI", j.path("outcome").asText()));
        return String.format(Locale.ROOT, "bob (security-officer): airlock capsule approve --post → %s, %s, %s of %s",
                j.path("outcome").asText(), j.path("status").asText(), j.path("approvals").asText(),
                j.path("required").asText());
    }

    private String awaitEmitted() throws Exception {
        Http h = Http.basic(Site.BOB, site.password(Site.BOB));
        Instant deadline = clock.instant().plus(WAIT);
        while (true) {
            Http.Answer a = h.get(approval + "/api/capsules/" + capsuleId);
            String status = a.ok() ? approvalStatus(a.json()) : "";
            if ("emitted".equals(status)) {
                return "threshold met (T2: service-owner + security-officer, ticket " + TICKET + "): signed capsule on "
                        + Topics.CAPSULES_SIGNED + ", into the diode";
            }
            if (status.equals("rejected")) {
                throw new DemoFailed("the capsule was rejected: " + a.body());
            }
            pause(deadline, "the approval service to emit capsule " + capsuleId + " (status " + status + ")");
        }
    }

    // ---- enclave ----

    private String awaitEvidence() throws Exception {
        JsonNode entry = awaitBundle(capsuleId, WAIT);
        byte[] bundle = Base64.getDecoder().decode(entry.path("entry").asText());
        Files.write(runDir.resolve("evidence.dsse.json"), bundle);
        EvidenceBundles.Verified v;
        try {
            v = EvidenceBundles.verify(bundle, site.policy());
            EvidenceBundles.requireSubject(v, capsuleDigest);
        } catch (VerificationException e) {
            throw new DemoFailed("the logged evidence does not verify: " + e.reason() + ": " + e.detail());
        }
        predicate = v.statement().predicate();
        signer = v.signer();
        workspaceLog4j = SampleRepo.log4jVersion(new SampleRepo(settings.demo()).workspace());
        return String.format(Locale.ROOT, "crossed the diode, %s by the gateway, %s by %s (validation exit %s); "
                        + "bundle signed by %s at log index %d", predicate.admission().verdict(), predicate.outcome(),
                predicate.runner().id(), predicate.validation().isEmpty() ? "-" : predicate.validation().get(0).exitCode(),
                signer, entry.path("logIndex").asLong());
    }

    /** The first log entry about a capsule (the evidence service's REST API, inside the enclave). */
    private JsonNode awaitBundle(String id, Duration wait) throws Exception {
        Http h = Http.anonymous();
        Instant deadline = clock.instant().plus(wait);
        while (true) {
            Http.Answer a = h.get(evidence + "/api/bundles/" + id);
            if (a.ok()) {
                JsonNode j = a.json();
                JsonNode list = j.isArray() ? j : j.path("entries");
                for (JsonNode e : list) {
                    if (e.hasNonNull("entry")) {
                        return e;
                    }
                }
            }
            pause(deadline, "evidence about capsule " + id + " in the log");
        }
    }

    private String proof() throws Exception {
        // a checkpoint now, rather than waiting for the scheduled one
        Http.anonymous().post(evidence + "/api/checkpoints", new byte[0], "application/json");
        List<String> cmd = List.of(settings.root().resolve("airlock").toString(), "evidence", "proof", "--log", evidence,
                "--capsule", capsuleId, "--policy", site.policyEnvelopeFile().toString());
        Cmd r = Cmd.run(cmd, Map.of(), runDir.resolve("proof.log"));
        JsonNode j = r.out().isBlank() ? Http.JSON.createObjectNode() : Http.JSON.readTree(r.out());
        if (r.exit() != 0 || !"verified".equals(j.path("verdict").asText())) {
            throw new DemoFailed("airlock evidence proof exited " + r.exit() + ": " + r.out().strip() + " "
                    + r.lastErrLine());
        }
        evidenceLine = new Evidence(j.path("logIndex").asLong(), j.path("leafHash").asText(), signer,
                j.path("verdict").asText(), j.path("treeSize").asLong(), j.path("rootHash").asText(),
                j.path("checkpointTimestamp").asText(null));
        return String.format(Locale.ROOT, "airlock evidence proof: leaf %d verified in a tree of %d against checkpoint "
                + "root %s… signed by %s", evidenceLine.logIndex(), evidenceLine.treeSize(),
                abbreviate(evidenceLine.rootHash(), 12), Site.EVIDENCE);
    }

    // ---- the tampered capsule ----

    /**
     * A second capsule, properly signed by the fleet and approved by alice and bob, has one byte of its capsule payload
     * flipped after signing (the bumped version 2.17.1 becomes 2.17.0) and is put on {@code airlock.capsules.signed.v1}
     * as if something between the approval service and the diode had changed it. It must be rejected inside.
     */
    private String tamper() throws Exception {
        Capsule first = StrictJson.read(capsuleEnvelope.payloadBytes(), Capsule.class, StrictJson.SIGNED);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String id = UUID.randomUUID().toString();
        Capsule second = new Capsule(Capsule.SCHEMA, id, first.lineage(), first.sequence() + 1, now,
                now.plus(Duration.ofDays(1)), first.environment(), first.mode(), first.tier(), first.policyVersion(),
                first.proposer(), first.finding(), first.target(), first.manifest(), first.change(), first.validation(),
                first.rollback());
        byte[] payload = StrictJson.write(second);
        Envelope genuine = Dsse.sign(PayloadTypes.CAPSULE, payload, site.signingKey(Site.FLEET));
        List<Envelope> approvals = new ArrayList<>();
        for (String[] who : List.of(new String[] {Site.ALICE, "service-owner"}, new String[] {Site.BOB, "security-officer"})) {
            SigningKey k = site.signingKey(who[0]);
            Approval a = new Approval(Approval.SCHEMA, genuine.payloadDigest(), id, who[0], who[1], Approval.APPROVE,
                    TICKET, now, Approval.REVIEW);
            approvals.add(Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(a), k));
        }
        // flip one byte inside the signed payload: "+    <version>2.17.1" → "2.17.0"
        byte[] bad = payload.clone();
        String text = new String(bad, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\\+\\s*<version>[0-9.]*([0-9])</version>").matcher(text);
        int at;
        String flipped;
        if (m.find()) {
            at = text.substring(0, m.start(1)).getBytes(StandardCharsets.UTF_8).length;
            char orig = (char) bad[at];
            bad[at] = (byte) (orig == '0' ? '1' : orig - 1);
            flipped = String.format(Locale.ROOT, "payload byte %d '%c' → '%c' (the bumped version)", at, orig, (char) bad[at]);
        } else {
            at = bad.length / 2;
            bad[at] ^= 0x01;
            flipped = "payload byte " + at + " xor 0x01";
        }
        Envelope forged = Envelope.of(genuine.payloadType(), bad, genuine.signatures());
        byte[] value = SignedCapsule.of(forged, approvals).toJson();
        Files.write(runDir.resolve("tampered.signed-capsule.json"), value);
        Instant sent = clock.instant();
        KafkaSetup.publish(settings.ports().controlBootstrap(), Topics.CAPSULES_SIGNED, id, value,
                SignedCapsule.SCHEMA, "urn:airlock:demo:tamper");
        JsonNode entry = awaitRejection(id, value, sent);
        String reason = entry.path("reason").asText(null);
        String detail = null;
        String named = entry.path("capsuleId").asText();
        String bundleSigner = entry.path("signer").asText(null);
        if (entry.hasNonNull("entry")) {
            try {
                EvidenceBundles.Verified v = EvidenceBundles.verify(Base64.getDecoder().decode(entry.path("entry").asText()),
                        site.policy());
                EvidencePredicate p = v.statement().predicate();
                reason = p.admission().reason() != null ? p.admission().reason() : reason;
                detail = p.failure() == null ? null : p.failure().detail();
                named = p.capsuleId();
                bundleSigner = v.signer();
            } catch (VerificationException e) {
                throw new DemoFailed("the rejection's evidence does not verify: " + e.reason() + ": " + e.detail());
            }
        }
        tampered = new Tampered(id, named, flipped, "rejected", reason, detail, entry.path("outcome").asText(),
                entry.path("logIndex").asLong(), bundleSigner);
        if (!"REJECTED".equals(tampered.evidenceOutcome())) {
            throw new DemoFailed("the tampered capsule's evidence says " + tampered.evidenceOutcome());
        }
        return String.format(Locale.ROOT, "capsule %s, %s, injected on %s: REJECTED at the gateway (%s), evidence "
                        + "signed by %s at log index %d as %s", id, flipped, Topics.CAPSULES_SIGNED, reason, bundleSigner,
                tampered.logIndex(), named);
    }

    /**
     * The gateway's rejection of the forged capsule. Its payload did not verify, so the gateway does not read the id
     * inside it: the evidence names the record by its digest ({@code unknown-<first 16 hex>} of the value's SHA-256).
     * Found by that name or by the id, else as a REJECTED entry received since it was sent; then read in full by index.
     */
    private JsonNode awaitRejection(String id, byte[] value, Instant sent) throws Exception {
        Http h = Http.anonymous();
        String byDigest = "unknown-" + dev.airlock.core.crypto.Hex.sha256Hex(value).substring(0, 16);
        Instant deadline = clock.instant().plus(WAIT);
        while (true) {
            Http.Answer recent = h.get(evidence + "/api/bundles?outcome=REJECTED&limit=50&since="
                    + sent.minusSeconds(5).truncatedTo(ChronoUnit.SECONDS));
            if (recent.ok()) {
                JsonNode j = recent.json();
                JsonNode list = j.isArray() ? j : j.path("entries");
                JsonNode match = null;
                for (JsonNode e : list) {
                    String named = e.path("capsuleId").asText();
                    if (!"REJECTED".equals(e.path("outcome").asText()) || named.equals(capsuleId)) {
                        continue;
                    }
                    if (named.equals(id) || named.equals(byDigest)) {
                        match = e;
                        break;
                    }
                    if (match == null && Instant.parse(e.path("receivedAt").asText("1970-01-01T00:00:00Z"))
                            .isAfter(sent.minusSeconds(1))) {
                        match = e;
                    }
                }
                if (match != null) {
                    Http.Answer full = h.get(evidence + "/api/entries/" + match.path("logIndex").asLong());
                    return full.ok() && full.json().hasNonNull("entry") ? full.json() : match;
                }
            }
            pause(deadline, "the gateway's rejection of the tampered capsule " + id);
        }
    }

    // ---- report ----

    private Report report(String failure) {
        List<Validation> validation = predicate == null ? List.of() : predicate.validation().stream()
                .map(v -> new Validation(v.name(), v.argv(), v.exitCode(), v.timedOut(), v.durationMs(),
                        v.stdout() == null ? null : v.stdout().strip())).toList();
        return new Report(failure == null, failure, capsuleId, capsuleDigest, tier, path, change, List.copyOf(approvers),
                predicate == null ? null : predicate.admission().verdict(),
                predicate == null ? null : predicate.admission().policyVersion(), validation,
                predicate == null ? null : predicate.outcome(), workspaceLog4j,
                predicate == null || predicate.rollback() == null ? null : new Rollback(predicate.rollback().rehearsed(),
                        predicate.rollback().restoredMatchesBefore(), predicate.rollback().reappliedMatchesAfter()),
                evidenceLine, tampered, capsuleId == null ? approval + "/" : approval + "/capsules/" + capsuleId,
                evidence + "/", Map.copyOf(steps));
    }

    private void print(Report r) {
        progress.line("");
        progress.line("Airlock demo report%s", r.ok() ? "" : " (INCOMPLETE: " + r.failure() + ")");
        line("capsule", r.capsuleId() == null ? null : r.capsuleId() + "  tier " + r.tier() + "  " + r.capsuleDigest());
        line("change", r.change());
        line("reachability", r.reachability().isEmpty() ? null : String.join(" → ", r.reachability()));
        line("approvers", r.approvers().isEmpty() ? null : String.join(", ", r.approvers().stream()
                .map(a -> a.approver() + " (" + a.role() + ", via " + a.via() + ")").toList()) + ", ticket " + TICKET);
        line("admission", r.admission() == null ? null : r.admission() + " by " + Site.GATEWAY + " under policy v"
                + r.policyVersion());
        for (Validation v : r.validation()) {
            line("validation", String.format(Locale.ROOT, "%s: %s → exit %s in %d ms%s", v.name(), String.join(" ", v.argv()),
                    v.exitCode(), v.durationMs(), v.stdout() == null || v.stdout().isEmpty() ? ""
                            : " (\"" + abbreviate(v.stdout().lines().reduce((a, b) -> b).orElse(""), 90) + "\")"));
        }
        line("outcome", r.outcome() == null ? null : r.outcome() + " by " + Site.RUNNER + "; workspace pom.xml now has "
                + "log4j-core " + r.workspaceLog4j());
        line("rollback", r.rollback() == null ? null : (r.rollback().rehearsed() ? "rehearsed" : "not rehearsed")
                + ": restored state matches before " + mark(r.rollback().restoredMatchesBefore())
                + ", re-applied state matches after " + mark(r.rollback().reappliedMatchesAfter()));
        line("evidence", r.evidence() == null ? null : String.format(Locale.ROOT, "log index %d, inclusion proof %s "
                        + "against a signed checkpoint (tree size %d, root %s…)", r.evidence().logIndex(),
                r.evidence().proofVerdict(), r.evidence().treeSize(), abbreviate(r.evidence().rootHash(), 16)));
        line("tampered", r.tampered() == null ? null : String.format(Locale.ROOT, "capsule %s, %s after both approvals: "
                        + "REJECTED at the gateway, %s%s; evidence signed by %s at log index %d (logged as %s)",
                r.tampered().capsuleId(), r.tampered().flipped(), r.tampered().reason(),
                r.tampered().detail() == null ? "" : " (" + r.tampered().detail() + ")", r.tampered().signer(),
                r.tampered().logIndex(), r.tampered().loggedAs()));
        line("approval page", r.approvalPage() + "  (users alice, bob; passwords in " + rel(site.usersFile()) + ")");
        line("evidence", r.evidenceDashboard() + "  (dashboard, inside the enclave)");
        line("files", rel(runDir));
        progress.line("");
    }

    private void line(String label, String text) {
        if (text != null) {
            progress.line("  %-14s %s", label, text);
        }
    }

    private static String mark(Boolean b) {
        return b == null ? "n/a" : b ? "yes" : "NO";
    }

    private String rel(Path p) {
        return settings.root().relativize(p.toAbsolutePath()).toString();
    }

    static String abbreviate(String s, int n) {
        return s == null ? "" : s.length() > n ? s.substring(0, n) : s;
    }

    private void pause(Instant deadline, String what) throws DemoFailed {
        if (clock.instant().isAfter(deadline)) {
            throw new DemoFailed("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
        }
        try {
            TimeUnit.MILLISECONDS.sleep(500); // polling the running services, not test synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoFailed("interrupted while waiting for " + what);
        }
    }

    /** A child command (the {@code airlock} script), output captured, stderr kept in a log file. */
    record Cmd(int exit, String out, String err) {
        static Cmd run(List<String> cmd, Map<String, String> env, Path log) throws IOException, InterruptedException {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd.subList(0, Math.min(3, cmd.size()))) + " timed out");
            }
            return new Cmd(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                    Files.readString(log, StandardCharsets.UTF_8));
        }

        String lastErrLine() {
            return err.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
        }
    }
}
