package dev.airlock.cli;

import dev.airlock.core.capsule.Approval;
import dev.airlock.core.capsule.Capsule;
import dev.airlock.core.capsule.SignedCapsule;
import dev.airlock.core.crypto.SigningKey;
import dev.airlock.core.dsse.Dsse;
import dev.airlock.core.dsse.Envelope;
import dev.airlock.core.dsse.PayloadTypes;
import dev.airlock.core.json.StrictJson;
import dev.airlock.core.policy.FilePolicyStore;
import dev.airlock.core.policy.InMemoryPolicyStore;
import dev.airlock.core.policy.Policy;
import dev.airlock.core.policy.PolicyTrust;
import dev.airlock.core.policy.TrustedPolicy;
import dev.airlock.core.verify.AdmissionLedger;
import dev.airlock.core.verify.FileLedger;
import dev.airlock.core.verify.InMemoryLedger;
import dev.airlock.core.verify.ReasonCode;
import dev.airlock.core.verify.VerificationEngine;
import dev.airlock.core.verify.VerificationException;
import dev.airlock.core.verify.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

@Command(name = "capsule", mixinStandardHelpOptions = true,
        description = "Sign, approve, bundle and verify remediation capsules.",
        subcommands = {CapsuleCommand.Sign.class, CapsuleCommand.Approve.class, CapsuleCommand.Bundle.class,
                CapsuleCommand.Verify.class})
final class CapsuleCommand extends Group {

    @Command(name = "sign", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Sign a capsule (schema airlock.capsule/v1) with its proposer's key into a DSSE envelope.")
    static final class Sign extends Leaf {
        @Option(names = "--in", required = true, paramLabel = "capsule.json", description = "The capsule document.")
        Path in;

        @Option(names = "--key", required = true, paramLabel = "proposer.key.pem", description = "The proposer's private key.")
        Path key;

        @Option(names = "--out", required = true, paramLabel = "capsule.dsse.json", description = "Where to write the envelope.")
        Path out;

        @Override
        int execute() throws CliException {
            byte[] payload = Io.readDocument(in, "capsule");
            Capsule c = Io.parse(payload, Capsule.class, in, "capsule");
            SigningKey k = Io.readKey(key, this::warn);
            if (!clock().instant().isBefore(c.expiresAt())) {
                warn("the capsule expired at " + StrictJson.formatInstant(c.expiresAt())
                        + "; verifiers will answer CAPSULE_EXPIRED");
            }
            // The exact bytes of the file are signed: what the proposer wrote is what every verifier reads.
            Envelope env = Dsse.sign(PayloadTypes.CAPSULE, payload, k);
            Io.write(out, Io.withNewline(env.toJson()));
            progress("signed capsule %s (%s) as proposer '%s' with key %s -> %s", c.capsuleId(), env.payloadDigest(),
                    c.proposer(), k.keyid(), out);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("out", out.toString());
            r.put("capsuleId", c.capsuleId());
            r.put("capsuleDigest", env.payloadDigest());
            r.put("proposer", c.proposer());
            r.put("keyid", k.keyid());
            result(r);
            return ExitCodes.OK;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Sign an approval (schema airlock.approval/v1) of a capsule with the approver's own key. The approval "
                    + "binds the capsule's digest and id; decidedAt is now.",
                    "With --policy, the capsule's proposer signature, the approver's key and role are checked first."})
    static final class Approve extends Leaf {
        @Option(names = "--capsule", required = true, paramLabel = "capsule.dsse.json",
                description = "The signed capsule envelope (or a signed-capsule.json).")
        Path capsule;

        @Option(names = "--key", required = true, paramLabel = "K.key.pem", description = "The approver's private key.")
        Path key;

        @Option(names = "--approver", required = true, paramLabel = "ID", description = "The approver's principal id.")
        String approver;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "The role approved in (service-owner, …).")
        String role;

        @Option(names = "--ticket", paramLabel = "T", description = "Change ticket (required by tiers with requireTicket).")
        String ticket;

        @Option(names = "--reject", description = "Sign a rejection instead: it blocks the capsule (REJECTED_BY_APPROVER).")
        boolean reject;

        @Option(names = "--basis", paramLabel = "BASIS", defaultValue = Approval.REVIEW, converter = Converters.Basis.class,
                completionCandidates = Converters.Bases.class,
                description = "review (a person, default) or policy-auto (an automation principal under autoApprove).")
        String basis;

        @Option(names = "--policy", paramLabel = "policy.dsse.json",
                description = "Check the capsule's signature and the approver's key and role under this policy first.")
        Path policy;

        @Option(names = "--out", required = true, paramLabel = "approval.dsse.json", description = "Where to write the envelope.")
        Path out;

        @Option(names = "--post", paramLabel = "URL",
                description = {"Also post the signed approval to the approval service at URL (e.g. http://localhost:8082): "
                        + "POST URL/api/capsules/{id}/decisions with HTTP Basic credentials. Prints the service's answer; "
                        + "exit 3 if it refused the decision.", "The private key never leaves this machine: only the "
                        + "signed envelope is sent."})
        String post;

        @Option(names = "--user", paramLabel = "NAME", description = "User name for --post (default: the --approver).")
        String user;

        @Option(names = "--password-file", paramLabel = "FILE",
                description = "File whose first line is the password for --post (default: the AIRLOCK_PASSWORD environment variable).")
        Path passwordFile;

        @Override
        int execute() throws CliException {
            String password = post == null ? null : password();
            Envelope env = Io.readCapsuleEnvelope(capsule);
            SigningKey k = Io.readKey(key, this::warn);
            TrustedPolicy trusted = policy == null ? null : Policies.trustOnInstall(policy, clock(), true);
            if (trusted != null) {
                checkProposerSignature(env, trusted);
            }
            Capsule c = Io.parse(env.payloadBytes(), Capsule.class, capsule, "capsule");
            if (trusted != null) {
                checkApprover(k, trusted);
                warnAboutTicket(c, trusted);
            } else {
                progress("note: the capsule's signature was not checked; pass --policy policy.dsse.json to check it "
                        + "before approving");
            }
            Approval a;
            try {
                a = new Approval(Approval.SCHEMA, env.payloadDigest(), c.capsuleId(), approver, role,
                        reject ? Approval.REJECT : Approval.APPROVE, ticket, now(), basis);
            } catch (IllegalArgumentException e) {
                throw new CliException("cannot build the approval: " + e.getMessage(), e);
            }
            Envelope signed = Dsse.sign(PayloadTypes.APPROVAL, StrictJson.write(a), k);
            Io.write(out, Io.withNewline(signed.toJson()));
            progress("%s (%s) signed '%s' for capsule %s (%s) with key %s -> %s", approver, role, a.decision(),
                    c.capsuleId(), env.payloadDigest(), k.keyid(), out);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("out", out.toString());
            r.put("capsuleId", c.capsuleId());
            r.put("capsuleDigest", env.payloadDigest());
            r.put("approver", approver);
            r.put("role", role);
            r.put("decision", a.decision());
            r.put("basis", basis);
            r.put("decidedAt", StrictJson.formatInstant(a.decidedAt()));
            r.put("keyid", k.keyid());
            if (post == null) {
                result(r);
                return ExitCodes.OK;
            }
            return post(c.capsuleId(), signed.toJson(), password, r);
        }

        private String password() throws CliException {
            if (passwordFile != null) {
                String text = new String(Io.read(passwordFile, "password file", 4096), java.nio.charset.StandardCharsets.UTF_8);
                String first = text.lines().findFirst().orElse("");
                if (first.isEmpty()) {
                    throw new CliException("password file '" + passwordFile + "' is empty");
                }
                return first;
            }
            String fromEnv = System.getenv("AIRLOCK_PASSWORD");
            if (fromEnv == null || fromEnv.isEmpty()) {
                throw new CliException("--post needs a password: --password-file FILE or the AIRLOCK_PASSWORD environment variable");
            }
            return fromEnv;
        }

        /** Posts the signed envelope; the service decides it with the same engine and answers with its verdict. */
        private int post(String capsuleId, byte[] envelope, String password, Map<String, Object> r) throws CliException {
            java.net.URI uri;
            try {
                String base = post.endsWith("/") ? post.substring(0, post.length() - 1) : post;
                uri = java.net.URI.create(base + "/api/capsules/"
                        + java.net.URLEncoder.encode(capsuleId, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")
                        + "/decisions");
                if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
            } catch (IllegalArgumentException e) {
                throw new CliException("--post '" + post + "' is not a usable URL: " + e.getMessage(), e);
            }
            String who = user != null ? user : approver;
            String basic = java.util.Base64.getEncoder().encodeToString(
                    (who + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(uri)
                    .timeout(java.time.Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .header("Authorization", "Basic " + basic)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(envelope)).build();
            java.net.http.HttpResponse<String> response;
            try {
                response = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(15))
                        .build().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                String why = e instanceof java.net.ConnectException ? "connection refused"
                        : e instanceof java.net.http.HttpTimeoutException ? "timed out" : Io.describe(e);
                throw new CliException("the approval was written to " + out + " but could not be posted to " + uri
                        + ": " + why, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted while posting to " + uri, e);
            }
            int status = response.statusCode();
            if (status == 401) {
                throw new CliException("the approval service at " + post + " did not accept the credentials of '" + who
                        + "' (HTTP 401); the approval is in " + out);
            }
            com.fasterxml.jackson.databind.JsonNode answer;
            try {
                answer = StrictJson.readTree(response.body().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        StrictJson.SIGNED);
            } catch (VerificationException e) {
                answer = null;
            }
            if (answer == null || !answer.isObject() || !answer.path("outcome").isTextual()) {
                throw new CliException(String.format(Locale.ROOT, "the approval service at %s answered HTTP %d without a "
                        + "verdict; the approval is in %s", post, status, out));
            }
            r.put("posted", uri.toString());
            r.put("httpStatus", status);
            r.put("server", answer);
            String outcome = answer.path("outcome").asText();
            if ("refused".equals(outcome)) {
                progress("refused by the approval service: %s: %s", answer.path("reason").asText(),
                        answer.path("detail").asText());
                result(r);
                return ExitCodes.REJECTED;
            }
            progress("%s by the approval service: capsule %s is %s (%s of %s approvals)", outcome, capsuleId,
                    answer.path("status").asText(), answer.path("approvals").asText("?"),
                    answer.path("required").asText("?"));
            result(r);
            return ExitCodes.OK;
        }

        /** Verify before parse: the capsule's payload is read only after a proposer's signature over it verified. */
        private void checkProposerSignature(Envelope env, TrustedPolicy trusted) throws CliException {
            Dsse.Result r = Dsse.verify(env, trusted.principalRing());
            if (!r.anyVerified()) {
                throw new CliException("refusing to approve: the capsule's signature does not verify under policy version "
                        + trusted.version() + " (" + (r.anyKnownKey() ? ReasonCode.SIGNATURE_INVALID : ReasonCode.UNKNOWN_KEY) + ")");
            }
            Capsule c = Io.parse(env.payloadBytes(), Capsule.class, capsule, "capsule");
            boolean byProposer = r.verifiedKeys().stream().anyMatch(k -> trusted.ownersOf(k).contains(c.proposer()));
            if (!byProposer) {
                throw new CliException("refusing to approve: the capsule names proposer '" + c.proposer()
                        + "' but no key of that principal signed it (UNKNOWN_KEY)");
            }
        }

        /** A missing or malformed ticket is the approver's to fix now, not the gateway's to discover later. */
        private void warnAboutTicket(Capsule c, TrustedPolicy trusted) {
            Policy.Tier tier = trusted.policy().tiers().get(c.tier());
            Optional<Policy.Environment> env = trusted.environment(c.environment());
            if (reject || tier == null || !tier.ticketRequired() || env.isEmpty()) {
                return;
            }
            String pattern = env.get().ticketPattern();
            if (ticket == null) {
                warn("tier " + c.tier() + " requires a change ticket and none was given (--ticket); verifiers will "
                        + "answer TICKET_REQUIRED");
            } else if (pattern != null && !java.util.regex.Pattern.compile(pattern).matcher(ticket).matches()) {
                warn("ticket '" + ticket + "' does not match " + pattern + " of environment " + c.environment()
                        + "; verifiers will answer TICKET_REQUIRED");
            }
        }

        private void checkApprover(SigningKey k, TrustedPolicy trusted) throws CliException {
            Policy.Principal p = trusted.principal(approver).orElseThrow(() -> new CliException("'" + approver
                    + "' is not a principal of policy version " + trusted.version() + "; the approval would not count"));
            if (!trusted.keysOf(approver).contains(k.publicKey())) {
                throw new CliException("key '" + key + "' (keyid " + k.keyid() + ") is not a key of '" + approver
                        + "' in policy version " + trusted.version() + "; the approval would not count");
            }
            if (!p.hasRole(role)) {
                throw new CliException("'" + approver + "' does not hold role '" + role + "' in policy version "
                        + trusted.version() + " (holds " + p.roles() + "); verifiers would answer ROLE_MISSING");
            }
        }
    }

    @Command(name = "bundle", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Put a signed capsule and its approvals into one signed-capsule document (schema airlock.signed-capsule/v1), "
                    + "the value that crosses the diode.")
    static final class Bundle extends Leaf {
        @Option(names = "--capsule", required = true, paramLabel = "capsule.dsse.json", description = "The signed capsule envelope.")
        Path capsule;

        @Option(names = "--approval", required = true, paramLabel = "A.dsse.json", description = "An approval envelope; repeat.")
        List<Path> approvals;

        @Option(names = "--out", required = true, paramLabel = "signed-capsule.json", description = "Where to write the bundle.")
        Path out;

        @Override
        int execute() throws CliException {
            Envelope env = Io.readEnvelope(capsule, "capsule");
            try {
                env.requirePayloadType(PayloadTypes.CAPSULE);
            } catch (VerificationException e) {
                throw Io.invalid(capsule, "capsule", e);
            }
            Capsule c = Io.parse(env.payloadBytes(), Capsule.class, capsule, "capsule");
            if (approvals.size() > SignedCapsule.MAX_APPROVALS) {
                throw new CliException(String.format(Locale.ROOT, "%d approvals; verifiers accept at most %d",
                        approvals.size(), SignedCapsule.MAX_APPROVALS));
            }
            List<Envelope> list = new ArrayList<>();
            List<String> who = new ArrayList<>();
            for (Path p : approvals) {
                Envelope a = Io.readEnvelope(p, "approval");
                try {
                    a.requirePayloadType(PayloadTypes.APPROVAL);
                } catch (VerificationException e) {
                    throw Io.invalid(p, "approval", e);
                }
                // Only a mistake check: the verifier decides on signatures; an approval of another capsule can never count.
                Approval ap = Io.parse(a.payloadBytes(), Approval.class, p, "approval");
                if (!ap.capsuleDigest().equals(env.payloadDigest()) || !ap.capsuleId().equals(c.capsuleId())) {
                    throw new CliException("approval '" + p + "' is for capsule " + ap.capsuleId() + " "
                            + ap.capsuleDigest() + ", not " + c.capsuleId() + " " + env.payloadDigest()
                            + " (verifiers would answer DIGEST_MISMATCH)");
                }
                list.add(a);
                who.add(ap.approver() + " (" + ap.role() + (ap.approves() ? "" : ", REJECT") + ")");
            }
            SignedCapsule sc = SignedCapsule.of(env, list);
            Io.write(out, Io.withNewline(sc.toJson()));
            progress("bundled capsule %s with %d approval(s): %s -> %s", c.capsuleId(), list.size(),
                    String.join(", ", who), out);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("out", out.toString());
            r.put("capsuleId", c.capsuleId());
            r.put("capsuleDigest", env.payloadDigest());
            r.put("approvals", list.size());
            result(r);
            return ExitCodes.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Verify a signed capsule for an environment with the same engine as the enclave gateway. "
                    + "Prints one verdict {\"verdict\": \"admitted\"|\"rejected\", \"reason\": CODE, \"detail\": …}; "
                    + "exit 0 admitted, 3 rejected.",
                    "Without --state the policy is trusted on install. With --state DIR, DIR/policies/ holds the "
                            + "policy history (a new version must be a valid rotation; an older one is POLICY_ROLLBACK) "
                            + "and DIR/ledger.jsonl the admitted capsules (verifying one again is REPLAY)."})
    static final class Verify extends Leaf {
        @Option(names = "--policy", required = true, paramLabel = "policy.dsse.json", description = "The signed policy.")
        Path policy;

        @Option(names = "--environment", required = true, paramLabel = "ENV", description = "The environment admitting it.")
        String environment;

        @Option(names = "--capsule", required = true, paramLabel = "signed-capsule.json", description = "The signed capsule.")
        Path capsule;

        @Option(names = "--state", paramLabel = "DIR", description = "Keep policy history and admitted capsules here.")
        Path state;

        @Option(names = "--now", paramLabel = "RFC3339", converter = Converters.Rfc3339.class,
                description = "Verify as of this time (UTC, e.g. 2026-11-25T10:00:00Z) instead of the clock.")
        Instant at;

        @Override
        int execute() throws CliException {
            Clock clock = at == null ? clock() : Clock.fixed(at, ZoneOffset.UTC);
            byte[] policyBytes = Io.readDocument(policy, "policy");
            byte[] capsuleBytes = Io.readDocument(capsule, "signed capsule");
            if (state == null) {
                TrustedPolicy trusted;
                try {
                    trusted = new PolicyTrust(clock).accept(policyBytes, Optional.empty(), new InMemoryPolicyStore())
                            .policy();
                } catch (VerificationException e) {
                    return policyVerdict(e);
                }
                return verdict(new VerificationEngine(clock).verify(capsuleBytes, environment, trusted, new InMemoryLedger()));
            }
            try {
                Files.createDirectories(state);
            } catch (IOException e) {
                throw new CliException("cannot create state directory '" + state + "': " + Io.describe(e), e);
            }
            // One verifier at a time per state directory: two concurrent runs must not both admit the same capsule.
            try (FileChannel ch = FileChannel.open(state.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                return verifyWithState(clock, policyBytes, capsuleBytes);
            } catch (IOException e) {
                throw new CliException("cannot lock state directory '" + state + "': " + Io.describe(e), e);
            }
        }

        private int verifyWithState(Clock clock, byte[] policyBytes, byte[] capsuleBytes) throws CliException {
            FilePolicyStore store;
            try {
                store = new FilePolicyStore(state.resolve("policies"), clock);
            } catch (VerificationException e) {
                // A stored version no longer verifies (edited on disk): fail closed, as the gateway does.
                return policyVerdict(new VerificationException(e.reason(), "stored policy history in '"
                        + state.resolve("policies") + "' does not verify: " + e.detail()));
            } catch (IOException e) {
                throw new CliException("cannot read the policy history in '" + state.resolve("policies") + "': "
                        + Io.describe(e), e);
            }
            Optional<TrustedPolicy> before = store.current();
            TrustedPolicy trusted;
            try {
                PolicyTrust.Accepted a = new PolicyTrust(clock).accept(policyBytes, before, store);
                trusted = a.policy();
                if (a.changed()) {
                    store.install(trusted);
                    progress(before.isEmpty()
                                    ? "policy version %d trusted on install and stored in %s"
                                    : "policy version %d accepted as the successor of version %d and stored in %s",
                            before.isEmpty() ? new Object[] {trusted.version(), state.resolve("policies")}
                                    : new Object[] {trusted.version(), before.get().version(), state.resolve("policies")});
                }
            } catch (VerificationException e) {
                return policyVerdict(e);
            } catch (UncheckedIOException e) {
                throw new CliException("cannot store the policy in '" + state + "': " + Io.describe(e.getCause()), e);
            }
            AdmissionLedger ledger;
            Path ledgerFile = state.resolve("ledger.jsonl");
            try {
                ledger = new FileLedger(ledgerFile);
            } catch (IOException e) {
                throw new CliException("cannot read the ledger '" + ledgerFile + "': " + Io.describe(e), e);
            }
            Verdict v = new VerificationEngine(clock).verify(capsuleBytes, environment, trusted, ledger);
            if (v.isAdmitted()) {
                // Recorded after deciding, as the gateway does in the verdict's transaction: the next run sees REPLAY.
                try {
                    ledger.record(new AdmissionLedger.Entry(v.capsuleId(), v.lineage(), v.sequence(), v.capsuleDigest(),
                            v.policyVersion(), clock.instant()));
                } catch (UncheckedIOException e) {
                    throw new CliException("admitted, but cannot record it in '" + ledgerFile + "': "
                            + Io.describe(e.getCause()), e);
                }
                progress("recorded capsule %s (lineage %s, sequence %d) in %s", v.capsuleId(), v.lineage(), v.sequence(),
                        ledgerFile);
            }
            return verdict(v);
        }

        /** A policy problem is a verdict about what was given, not a usage error. */
        private int policyVerdict(VerificationException e) {
            return verdict(new Verdict(Verdict.REJECTED, e.reason(), e.detail(), null, null, environment, null, null,
                    null, null, null, null, null, null));
        }

        private int verdict(Verdict v) {
            out().println(v.toJson());
            out().flush();
            if (v.isAdmitted()) {
                return ExitCodes.OK;
            }
            progress("rejected: %s: %s", v.reason(), v.detail());
            return ExitCodes.REJECTED;
        }
    }

    /** Shared policy reading for commands that check against a policy without keeping history. */
    static final class Policies {
        private Policies() {
        }

        static TrustedPolicy trustOnInstall(Path file, Clock clock, boolean checkExpiry) throws CliException {
            byte[] bytes = Io.readDocument(file, "policy");
            try {
                return new PolicyTrust(clock).accept(bytes, Optional.empty(), new InMemoryPolicyStore(), checkExpiry)
                        .policy();
            } catch (VerificationException e) {
                throw Io.invalid(file, "policy", e);
            }
        }
    }
}
