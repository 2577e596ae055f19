package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.crypto.Hex;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.evidence.CheckpointVerifier;
import dev.airlock.core.evidence.EvidenceBundles;
import dev.airlock.core.evidence.EvidenceExport;
import dev.airlock.core.evidence.SanitizedEvidence;
import dev.airlock.core.evidence.merkle.MerkleHash;
import dev.airlock.core.evidence.merkle.ProofException;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.VerificationException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code airlock evidence proof}: an RFC 9162 inclusion proof checked against a signed checkpoint of the evidence log
 * (SECURITY-TESTS E.24), either fetched from the log's REST API or read from an export file carried out of the
 * enclave. Nothing the log says is trusted on its word: the checkpoint's signature is checked against the policy's
 * {@code evidence} principal, the leaf hash is recomputed from the bundle's bytes, the bundle's own signature is
 * checked, and the proof must lead to the signed root.
 */
@Command(name = "proof", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check that a capsule's evidence is in the evidence log: an RFC 9162 inclusion proof against "
                + "a checkpoint signed by the log's evidence key.",
                "Online: --log URL --capsule ID fetches the checkpoint, the proof and the bundle from the log, "
                        + "recomputes the leaf hash from the bundle's bytes and verifies everything.",
                "Offline: --export FILE checks an export file (sanitized, re-signed bundles with their proofs).",
                "The checkpoint is verified against --policy (recommended). Without it, the policy the log itself "
                        + "serves is trusted on first use (its root signatures are still checked) and a warning says so.",
                "Prints {\"verdict\": \"verified\"|\"rejected\", …}; exit 0 verified, 3 rejected, 2 input error."})
final class EvidenceProof extends Leaf {
    private static final StrictJson.Limits LIMITS = new StrictJson.Limits(256L * 1024 * 1024, 32, 5_000_000);

    static final class Online {
        @Option(names = "--log", required = true, paramLabel = "URL",
                description = "Base URL of the evidence service, e.g. http://127.0.0.1:8083.")
        String log;

        @Option(names = "--capsule", required = true, paramLabel = "ID", description = "The capsule id.")
        String capsule;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @ArgGroup(exclusive = false)
        Online online;

        @Option(names = "--export", required = true, paramLabel = "FILE",
                description = "An export file from GET /api/export, checked offline.")
        Path export;
    }

    @Option(names = "--policy", paramLabel = "policy.dsse.json",
            description = "The signed policy naming the evidence principal whose key signs checkpoints.")
    Path policy;

    @Option(names = "--log-id", paramLabel = "ID",
            description = "The log the checkpoint must be of (the evidence principal's id, e.g. evidence.enclave-1); "
                    + "default: any evidence principal of the policy, printed in the verdict.")
    String logId;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "HTTP timeout per request (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    int execute() throws CliException {
        return source.export != null ? offline(source.export) : online(source.online);
    }

    private int online(Online o) throws CliException {
        String base = o.log.endsWith("/") ? o.log.substring(0, o.log.length() - 1) : o.log;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeoutSeconds)).build();
        String policySource = policy != null ? "file" : "log";
        TrustedPolicy trusted;
        try {
            trusted = policy != null ? trust(Io.readDocument(policy, "policy"))
                    : trust(get(http, base + "/api/policy", "the log's policy").body());
        } catch (VerificationException e) {
            return rejected(e.reason().name(), "policy: " + e.detail());
        }
        if (policy == null) {
            warn("no --policy: the checkpoint is checked against the policy the log serves (trust on first use, "
                    + "root signatures checked); pass --policy for an independent check");
        }
        String id = URLEncoder.encode(o.capsule, StandardCharsets.UTF_8);
        HttpResponse<byte[]> proofResponse = get(http, base + "/api/proofs/inclusion?capsuleId=" + id,
                "the inclusion proof");
        if (proofResponse.statusCode() == 404) {
            return rejected("NOT_IN_LOG", "the log has no evidence for capsule '" + o.capsule + "'");
        }
        JsonNode proof = json(ok(proofResponse, "the inclusion proof"), "the inclusion proof");
        JsonNode bundles = json(ok(get(http, base + "/api/bundles/" + id, "the bundle"), "the bundle"), "the bundle");

        CheckpointVerifier.Verified cp;
        try {
            cp = CheckpointVerifier.verify(StrictJson.write(proof.path("checkpoint")), trusted, logId);
        } catch (VerificationException e) {
            return rejected(e.reason().name(), "checkpoint: " + e.detail());
        }
        long index = proof.path("logIndex").asLong(-1);
        long treeSize = proof.path("treeSize").asLong(-1);
        if (treeSize != cp.checkpoint().size()) {
            return rejected("ROOT_MISMATCH", String.format(Locale.ROOT, "the proof is for a tree of %d leaves, the "
                    + "signed checkpoint has %d", treeSize, cp.checkpoint().size()));
        }
        byte[] entry = null;
        for (JsonNode e : bundles.path("entries")) {
            if (e.path("logIndex").asLong(-2) == index && e.path("entry").isTextual()) {
                entry = Base64.getDecoder().decode(e.get("entry").textValue());
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        byte[] leafHash;
        if (entry != null) {
            leafHash = MerkleHash.leafHash(entry);
            EvidenceBundles.Verified b;
            try {
                b = EvidenceBundles.verify(entry, trusted);
            } catch (VerificationException e) {
                return rejected(e.reason().name(), "bundle at leaf " + index + ": " + e.detail());
            }
            if (!o.capsule.equals(b.statement().predicate().capsuleId())) {
                return rejected("DIGEST_MISMATCH", "leaf " + index + " holds evidence of capsule '"
                        + b.statement().predicate().capsuleId() + "', not '" + o.capsule + "'");
            }
            r.put("entry", "verified");
            r.put("signer", b.signer());
            r.put("outcome", b.statement().predicate().outcome());
            r.put("capsuleDigest", b.statement().capsuleDigest());
        } else {
            // Retention purged the body: only its hash remains in the log, and that is what is proven.
            String claimed = proof.path("leafHash").asText("");
            try {
                dev.airlock.core.evidence.Checkpoint.requireHash(claimed, "leafHash");
            } catch (IllegalArgumentException e) {
                return rejected("MALFORMED", "the log returned no entry and no usable leaf hash for leaf " + index);
            }
            leafHash = Hex.decode(claimed);
            r.put("entry", "purged");
            warn("the bundle's body was purged by retention: the proof shows its leaf hash is in the log, "
                    + "not what it said");
        }
        try {
            CheckpointVerifier.verifyInclusion(cp, leafHash, index, hashes(proof.path("hashes")));
        } catch (ProofException e) {
            return rejected(e.error().name(), e.detail());
        } catch (IllegalArgumentException e) {
            return rejected("MALFORMED", "proof hashes: " + e.getMessage());
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("verdict", "verified");
        v.put("log", cp.checkpoint().log());
        v.put("capsuleId", o.capsule);
        v.put("logIndex", index);
        v.put("treeSize", cp.checkpoint().size());
        v.put("leafHash", Hex.encode(leafHash));
        v.put("rootHash", cp.checkpoint().rootHash());
        v.put("checkpointTimestamp", StrictJson.formatInstant(cp.checkpoint().timestamp()));
        v.putAll(r);
        v.put("policyVersion", trusted.version());
        v.put("policySource", policySource);
        result(v);
        return ExitCodes.OK;
    }

    private int offline(Path file) throws CliException {
        if (policy == null) {
            throw new CliException("--export needs --policy: offline, the policy is the only source of the evidence key");
        }
        TrustedPolicy trusted;
        try {
            trusted = trust(Io.readDocument(policy, "policy"));
        } catch (VerificationException e) {
            return rejected(e.reason().name(), "policy: " + e.detail());
        }
        EvidenceExport export;
        byte[] bytes = Io.read(file, "export file", EvidenceExport.LIMITS.maxBytes());
        try {
            export = EvidenceExport.parse(bytes);
        } catch (VerificationException e) {
            throw Io.invalid(file, "export file", e);
        }
        CheckpointVerifier.Verified cp;
        try {
            cp = CheckpointVerifier.verify(export.checkpoint().toJson(), trusted, logId != null ? logId : export.log());
        } catch (VerificationException e) {
            return rejected(e.reason().name(), "checkpoint: " + e.detail());
        }
        for (EvidenceExport.Entry e : export.entries()) {
            String where = "entry for leaf " + e.logIndex();
            SanitizedEvidence.Verified s;
            try {
                s = SanitizedEvidence.verify(e.sanitized(), trusted);
            } catch (VerificationException ex) {
                return rejected(ex.reason().name(), where + ": " + ex.detail());
            }
            if (s.evidence().logIndex() != e.logIndex() || !s.evidence().leafHash().equals(e.leafHash())
                    || !s.evidence().log().equals(cp.checkpoint().log())) {
                return rejected("DIGEST_MISMATCH", where + ": the signed projection is of leaf "
                        + s.evidence().logIndex() + " of log '" + s.evidence().log() + "'");
            }
            try {
                CheckpointVerifier.verifyInclusion(cp, Hex.decode(e.leafHash()), e.logIndex(),
                        e.inclusionProof().stream().map(Hex::decode).toList());
            } catch (ProofException ex) {
                return rejected(ex.error().name(), where + ": " + ex.detail());
            }
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("verdict", "verified");
        v.put("log", cp.checkpoint().log());
        v.put("environment", export.environment());
        v.put("entries", export.entries().size());
        v.put("treeSize", cp.checkpoint().size());
        v.put("rootHash", cp.checkpoint().rootHash());
        v.put("checkpointTimestamp", StrictJson.formatInstant(cp.checkpoint().timestamp()));
        v.put("policyVersion", trusted.version());
        result(v);
        return ExitCodes.OK;
    }

    private TrustedPolicy trust(byte[] policyBytes) throws VerificationException {
        // Expiry is not enforced: evidence stays checkable after the policy it was produced under expired.
        return new PolicyTrust(clock()).accept(policyBytes, Optional.empty(), new InMemoryPolicyStore(), false).policy();
    }

    private static List<byte[]> hashes(JsonNode array) {
        List<byte[]> out = new ArrayList<>();
        for (JsonNode h : array) {
            out.add(Hex.decode(dev.airlock.core.evidence.Checkpoint.requireHash(h.asText(""), "proof hash")));
        }
        return out;
    }

    private HttpResponse<byte[]> get(HttpClient http, String url, String what) throws CliException {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(timeoutSeconds))
                    .header("Accept", "application/json").GET().build();
            return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IllegalArgumentException e) {
            throw new CliException("--log is not a usable URL: " + url);
        } catch (IOException e) {
            throw new CliException("cannot fetch " + what + " from " + url + ": "
                    + (e.getMessage() != null ? e.getMessage() : "no answer (connection refused or timed out)"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while fetching " + what);
        }
    }

    private static byte[] ok(HttpResponse<byte[]> r, String what) throws CliException {
        if (r.statusCode() != 200) {
            String detail = "";
            try {
                detail = StrictJson.readTree(r.body(), LIMITS).path("detail").asText("");
            } catch (VerificationException e) {
                // not a problem document: the status says enough
            }
            throw new CliException(String.format(Locale.ROOT, "the log answered %d for %s%s", r.statusCode(), what,
                    detail.isEmpty() ? "" : ": " + detail));
        }
        return r.body();
    }

    private static JsonNode json(byte[] body, String what) throws CliException {
        try {
            return StrictJson.readTree(body, LIMITS);
        } catch (VerificationException e) {
            throw new CliException("the log's answer for " + what + " is not valid JSON: " + e.detail());
        }
    }

    private int rejected(String reason, String detail) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("verdict", "rejected");
        r.put("reason", reason);
        r.put("detail", detail);
        result(r);
        progress("rejected: %s: %s", reason, detail);
        return ExitCodes.REJECTED;
    }
}
